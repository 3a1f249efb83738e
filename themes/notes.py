"""Footnotes and cited sources placed where the printed page needs them.

The PDF floats a footnote to the foot of the page where its anchor lands, so the anchor goes
right after the call in the text ("… achtergrond.*" → the note "*" follows the asterisk): the
note prints on the page of its call. Cited sources have no call; the PDF lists them at the end
of their section as short linked titles (publisher and title, or the site and the page, with
the URL as the link target) instead of walls of raw URLs at the foot of the page.

``guard_hyphenated`` keeps the hyphenation inside words that already hold a hyphen
("VN-Kinderrechtencomité" breaks after "VN-" only).
"""

import re
from collections import Counter, defaultdict
from urllib.parse import unquote, urlsplit

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

_TAG_SPLIT = re.compile(r"(<[^>]*>)")
_HYPHENATED = re.compile(r"(?<![\w-])\w+(?:-\w+)+(?![\w-])")
LABEL_LENGTH = 60


def _text_parts(html):
    """``html`` split into tags and text; yields (is_text, piece)."""
    for piece in _TAG_SPLIT.split(html):
        if piece:
            yield not piece.startswith("<"), piece


def guard_hyphenated(html):
    """Wrap words with a hyphen in ``<span class="nohy">`` (no further hyphenation), outside tags and links."""
    out, in_link = [], 0
    for is_text, piece in _text_parts(html):
        if not is_text:
            lowered = piece.lower()
            if lowered.startswith("<a ") or lowered == "<a>":
                in_link += 1
            elif lowered.startswith("</a"):
                in_link = max(0, in_link - 1)
            out.append(piece)
        elif in_link:
            out.append(piece)
        else:
            out.append(_HYPHENATED.sub(lambda m: f'<span class="nohy">{m.group(0)}</span>', piece))
    return "".join(out)


def _call_pattern(marker):
    """The marker as a call in running text: "*" not inside "**", "1" not inside "2021"."""
    quoted = re.escape(marker)
    if re.fullmatch(r"\w+", marker):
        return re.compile(rf"(?<!\w){quoted}(?!\w)")
    first, last = re.escape(marker[0]), re.escape(marker[-1])
    return re.compile(rf"(?<!{first}){quoted}(?!{last})")


def footnote_html(footnote):
    return format_html('<span class="fn" data-marker="{}">{}</span>', footnote.marker, footnote.text)


def source_label(source):
    """A short title for a cited source: "publisher, title", else the site and the last part of the address."""
    if source.publisher or source.title:
        label = ", ".join(part for part in (source.publisher, source.title) if part)
    else:
        parts = urlsplit(source.url or "")
        site = parts.netloc.lower().removeprefix("www.")
        tail = [segment for segment in unquote(parts.path).split("/") if segment]
        page = re.sub(r"\.(html?|php|aspx?|pdf)$", "", tail[-1], flags=re.I) if tail else ""
        page = re.sub(r"[-_+]+", " ", page).strip()
        if page.isdigit() and len(tail) > 1:  # ".../2024/03/18/rapport" ends in a title; "/@140443/" does not
            page = ""
        label = f"{site}: {page}" if page and not page.isdigit() else site
    if len(label) > LABEL_LENGTH:
        label = label[: LABEL_LENGTH - 1].rstrip(" ,:-") + "…"
    return label


def sources_html(sources, css_class="fn sources"):
    """The cited sources as short linked titles in one span (by default a note without marker)."""
    links, seen = [], Counter()
    for source in sources:
        label = source_label(source)
        seen[label] += 1
        if seen[label] > 1:  # two pages of one site without a telling address: number them
            label = f"{label} ({seen[label]})"
        if source.url:
            links.append(format_html('<a href="{}">{}</a>', source.url, label))
        else:
            links.append(format_html('<span class="source-title">{}</span>', label))
    if not links:
        return ""
    return format_html('<span class="{}">{}</span>', css_class, mark_safe(" · ".join(links)))  # noqa: S308


def _call(footnote):
    """The call printed for a footnote whose marker is not in the text: a numbered one as a superscript."""
    if getattr(footnote, "auto_numbered", False):
        return str(format_html("<sup>{}</sup>", footnote.marker))
    return escape(footnote.marker)


def _placements(html, footnotes):
    """Where each footnote's call stands in ``html``: (pieces, {piece index: [(start, end, note)]}, the rest).

    A footnote with a typed marker is called by the first free occurrence of that marker in the
    text (its span ``start:end`` in the text piece); one added from the part (numbered
    automatically), or whose marker is not in the text, is in the rest: its call goes at the end.
    """
    pieces = [list(item) for item in _text_parts(html or "")]
    found_at = defaultdict(list)  # piece index -> [(start, end, footnote)]
    taken = set()
    rest = []
    for footnote in footnotes:
        if getattr(footnote, "auto_numbered", False):  # added from the part: its call goes after the text
            rest.append(footnote)
            continue
        pattern = _call_pattern(footnote.marker)
        found = None
        for index, (is_text, piece) in enumerate(pieces):
            if is_text:
                found = next(
                    ((index, m.start(), m.end()) for m in pattern.finditer(piece) if (index, m.end()) not in taken),
                    None,
                )
                if found:
                    break
        if found is None:
            rest.append(footnote)
            continue
        taken.add((found[0], found[2]))
        found_at[found[0]].append((found[1], found[2], footnote))
    return pieces, found_at, rest


def _at_the_end(joined, tail):
    """``tail`` at the end of the last paragraph of ``joined``, or in a paragraph of its own when it has none."""
    closing = joined.rfind("</p>")
    if closing != -1:
        return joined[:closing] + tail + joined[closing:]
    return joined + f'<p class="fn-holder">{tail}</p>'


def place_notes(html, footnotes=(), sources=()):
    """``html`` (sanitised rich text) with each footnote after its call and the sources at the end of the last paragraph.

    A footnote whose call is not in the text gets its marker as a call at the end of the last
    paragraph and floats from there, as do the sources (from a paragraph of their own when the
    text has none).
    """
    pieces, found_at, rest = _placements(html, footnotes)
    for index, notes in found_at.items():
        text = pieces[index][1]
        for _start, end, footnote in sorted(notes, key=lambda note: note[1], reverse=True):
            text = text[:end] + str(footnote_html(footnote)) + text[end:]
        pieces[index][1] = text
    joined = "".join(piece for _is_text, piece in pieces)
    # A footnote whose call is missing from the text gets its marker as the call, at the end.
    tail = "".join([_call(f) + str(footnote_html(f)) for f in rest] + [str(sources_html(sources))])
    if tail:
        joined = _at_the_end(joined, tail)
    return mark_safe(joined)  # noqa: S308 - the part's sanitised rich text and escaped notes


def note_id(footnote):
    """The id of a footnote on the web page; its call is ``note_id + "-tekst"``."""
    return f"voetnoot-{footnote.pk}"


def _call_link(footnote, text):
    """The call of a footnote on the web page: a link to the note, which links back to it (``report_print.part_notes``)."""
    return format_html(
        '<a class="fn-call" href="#{}" id="{}-tekst" role="doc-noteref" aria-label="Voetnoot {}">{}</a>',
        note_id(footnote),
        note_id(footnote),
        footnote.marker,
        text,
    )


def place_calls(html, footnotes=()):
    """The web page's ``html``: each footnote's call where the PDF puts it, as a link to the note below the part.

    The same places as ``place_notes``: a typed marker in the text becomes the link; the call of a
    footnote added from the part (a superscript number) or whose marker is missing from the text
    goes at the end of the last paragraph. Each footnote that got a call is marked ``called``, so
    its note links back.
    """
    pieces, found_at, rest = _placements(html, footnotes)
    for index, calls in found_at.items():
        text = pieces[index][1]
        for start, end, footnote in sorted(calls, key=lambda call: call[0], reverse=True):
            text = text[:start] + str(_call_link(footnote, mark_safe(text[start:end]))) + text[end:]  # noqa: S308
            footnote.called = True
        pieces[index][1] = text
    joined = "".join(piece for _is_text, piece in pieces)
    tail = []
    for footnote in rest:
        link = _call_link(footnote, footnote.marker)
        tail.append(str(format_html("<sup>{}</sup>", link)) if getattr(footnote, "auto_numbered", False) else str(link))
        footnote.called = True
    if tail:  # inline after the text: a title (a figure's) has no paragraph
        closing = joined.rfind("</p>")
        joined = joined[:closing] + "".join(tail) + joined[closing:] if closing != -1 else joined + "".join(tail)
    return mark_safe(joined)  # noqa: S308 - the part's sanitised rich text and escaped calls


def attach_loose_footnotes(loose, parts):
    """Give each footnote without a part (``loose``) to the first part whose text holds a free call for it.

    A call is free when the part's own footnotes with that marker do not use it. Returns the
    footnotes still without a part (printed with the summary, as before).
    """
    remaining = []
    for footnote in loose:
        if getattr(footnote, "auto_numbered", False):  # numbered in print order: it has no call to look for
            remaining.append(footnote)
            continue
        pattern = _call_pattern(footnote.marker)
        for part in parts:
            body = getattr(part, "body", None) or getattr(part, "text", "") or ""
            text = "".join(piece for is_text, piece in _text_parts(body) if is_text)
            own = getattr(part, "printed_footnotes", [])
            if len(pattern.findall(text)) > sum(1 for f in own if f.marker == footnote.marker):
                part.printed_footnotes = [*own, footnote]
                break
        else:
            remaining.append(footnote)
    return remaining
