"""The two page-break rules of kib/publication/typesetting.py on small documents (issue 13).

Each document has many small pages, so WeasyPrint breaks many paragraphs across pages; without
the rules WeasyPrint 70 ends pages on a hyphenated line and moves footnotes to the page after
their call in these very documents (seen: pages ending on "-", 3 of 60 notes on the page after their call).
"""

import re

import pytest

from kib.publication import typesetting
from kib.publication.fetcher import SafeURLFetcher, default_roots
from kib.publication.render import render_document

WORDS = (
    "kinderrechtenorganisaties jeugdbeschermingsmaatregelen onderwijsachterstanden "
    "gezinshuizen vluchtelingenkinderen armoedebestrijding discriminatiemeldingen "
    "kinderopvangtoeslagaffaire gemeenteraadsverkiezingen jongerenparticipatie "
    "zorgverzekeringswet leerplichtambtenaren"
).split()


def _page(size="90mm 60mm", margin="6mm"):
    """As print.css: "-" as the hyphen, a footnote area with a rule and some space above it."""
    return (
        f"@page {{ size: {size}; margin: {margin}; "
        "@footnote { border-top: 0.5pt solid; padding-top: 2mm; margin-top: 3mm; } }"
        ' html { font: 10pt/1.3 sans-serif; hyphenate-character: "-"; } .nohy { hyphens: manual; }'
    )


PAGE = _page()


def _text(box):
    return "".join(getattr(b, "text", "") or "" for b in box.descendants() if hasattr(b, "text"))


def _render(html):
    return render_document(html, None, SafeURLFetcher(roots=[str(r) for r in default_roots()]))


def _paragraph(i, length):
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] if k % 3 == 0 else "en de" for k in range(length)]
    return " ".join(words)


def _flow_lines(page):
    """The line boxes of a page's flow, in order (not the footnote area)."""
    from weasyprint.formatting_structure import boxes

    found = []

    def visit(box):
        if isinstance(box, boxes.FootnoteAreaBox):
            return
        if isinstance(box, boxes.LineBox):
            found.append(box)
            return
        for child in getattr(box, "children", ()):
            visit(child)

    visit(page._page_box)
    return found


def test_no_page_ends_on_a_hyphenated_word():
    paragraphs = "".join(f"<p>{_paragraph(i, 20 + i % 9)}</p>" for i in range(40))
    html = (
        f'<html lang="nl"><style>{PAGE} p {{ hyphens: auto; margin: 0 0 1mm; orphans: 2; widows: 2; }}</style>'
        f"<body>{paragraphs}</body></html>"
    )
    document = _render(html)
    assert len(document.pages) >= 15
    lines = [line for page in document.pages for line in _flow_lines(page)]
    hyphenated = [line for line in lines if _text(line).rstrip().endswith("-")]  # the words hold no "-"
    assert len(hyphenated) >= 50  # the text is hyphenated a lot, only never at a page's end
    page_ends = [_text(_flow_lines(page)[-1]).rstrip() for page in document.pages[:-1]]
    assert [end for end in page_ends if end.endswith("-")] == []


def test_a_real_hyphen_may_end_a_line_and_is_not_taken_for_hyphenation():
    html = (
        f'<html lang="nl"><style>{PAGE} p {{ hyphens: auto; width: 40mm; }}</style>'
        "<body><p>het <span class='nohy'>VN-Kinderrechtencomité</span> en de kinderrechtenorganisaties</p></body></html>"
    )
    lines = _flow_lines(_render(html).pages[0])
    marked = {_text(line).strip(): typesetting.is_hyphenated(line) for line in lines}
    assert any(text.endswith("VN-") and not flag for text, flag in marked.items()), marked
    assert any(text.endswith("-") and not text.endswith("VN-") and flag for text, flag in marked.items()), marked


def test_footnotes_print_on_the_page_of_their_call():
    paragraphs = "".join(
        f'<p>{_paragraph(i, 8 + (i * 5) % 13)}<span class="fn">Noot {i}.</span> {_paragraph(i + 1, 4 + i % 5)}</p>'
        for i in range(60)
    )
    html = (
        f'<html lang="nl"><style>{_page("120mm 90mm", "8mm")} p {{ margin: 0 0 1mm; orphans: 2; widows: 2; }}'
        ".fn { float: footnote; font-size: 7.5pt; line-height: 1.35; footnote-policy: line; }"
        '.fn::footnote-call { content: "[" counter(footnote) "]"; }'
        '.fn::footnote-marker { content: "(" counter(footnote) ") "; }</style>'
        f"<body>{paragraphs}</body></html>"
    )
    document = _render(html)
    from weasyprint.formatting_structure import boxes

    calls, notes = {}, {}
    for number, page in enumerate(document.pages):
        flow = " ".join(_text(line) for line in _flow_lines(page))
        for call in re.findall(r"\[(\d+)\]", flow):
            calls[call] = number
        for box in page._page_box.children:
            if isinstance(box, boxes.FootnoteAreaBox):
                for note in re.findall(r"\((\d+)\) Noot", _text(box)):
                    notes[note] = number
    assert len(document.pages) >= 20 and len(notes) == 60 and set(calls) == set(notes)
    moved = {n: (calls[n], notes[n]) for n in notes if calls[n] != notes[n]}
    assert moved == {}


def test_an_unknown_weasyprint_layout_is_refused(monkeypatch):
    monkeypatch.setattr(typesetting, "_applied", False)
    monkeypatch.setattr(typesetting, "REPORT_LINE", "a line WeasyPrint does not have\n")
    with pytest.raises(typesetting.TypesettingError):
        typesetting.apply()
