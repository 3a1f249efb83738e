"""Two page-break rules of the printed report that WeasyPrint 70 has no CSS for (issue 13).

``apply()`` installs them in WeasyPrint's block layout once per process; ``render_document``
calls it before every build. Both act while WeasyPrint breaks a paragraph's lines across two
pages, so the document is laid out once, as fast as WeasyPrint alone:

- **A footnote stays on the page of its call.** When a paragraph's next line does not fit and
  orphans/widows forbid breaking before it, WeasyPrint 70 moves the page's *last footnote* to
  the next page to make room for that line (``layout/block.py``, "first try to report
  footnotes") — whichever paragraph that footnote belongs to. With the rule, the paragraph is
  broken (or moved) by orphans and widows instead, as when the page has no footnotes; a
  footnote still moves when its own call's line does not fit (``footnote-policy``).
- **No word is split across two pages.** When the page would end on a line hyphenated by the
  layout ("discri-" | "minatie"), that line goes to the next page too (as TeX's
  ``\\brokenpenalty``); if orphans then leave too few lines, the paragraph moves as a whole.
  A line ending on a hyphen of the text itself ("VN-" | "Kinderrechtencomité") may end a page.

WeasyPrint is pinned (requirements.txt); ``apply`` refuses to run on a source it does not
recognise rather than build a PDF without the rules.
"""

import inspect
import threading

REPORT_LINE = "            report = not context.in_column and can_break_now and not could_break_before\n"
KEEP_LINE = "            report = False  # kib.publication.typesetting: footnotes stay on their page\n"

_lock = threading.Lock()
_applied = False


class TypesettingError(RuntimeError):
    """WeasyPrint's layout code is not the one these rules were written for."""


def is_hyphenated(line):
    """Whether a line box ends on a hyphen the layout added (a word broken by hyphenation)."""
    last = None
    for box in line.descendants():
        if getattr(box, "text", None):
            last = box
    return bool(last is not None and getattr(last, "kib_hyphenated", False))


def _mark_hyphenation(split_text_box):
    def split(context, box, available_width, skip, is_line_start=True):
        new_box, resume, preserved_line_break = split_text_box(
            context, box, available_width, skip, is_line_start=is_line_start
        )
        if new_box is not None:
            hyphenated = False
            character = box.style["hyphenate_character"]
            if resume is not None and character and new_box.text.endswith(character):
                source = box.text.encode()[skip or 0 :].decode(errors="ignore")
                hyphenated = not source.startswith(new_box.text)  # the hyphen is not in the text
            new_box.kib_hyphenated = hyphenated
        return new_box, resume, preserved_line_break

    split.kib_wrapped = True
    return split


def _keep_words_whole(break_line):
    def rule(context, box, line, new_children, needed, page_is_empty, *args):
        # The page ends on new_children[-needed - 1]; move hyphenated last lines along.
        while needed < len(new_children) and is_hyphenated(new_children[-needed - 1]):
            needed += 1
        return break_line(context, box, line, new_children, needed, page_is_empty, *args)

    rule.kib_wrapped = True
    return rule


def apply():
    """Install both rules in WeasyPrint's layout (idempotent)."""
    global _applied
    with _lock:
        if _applied:
            return
        from weasyprint.layout import block, inline

        source = inspect.getsource(block._linebox_layout)
        if source.count(REPORT_LINE) != 1:
            raise TypesettingError(
                "WeasyPrint's _linebox_layout is not the one of version 70: the footnote rule cannot be installed."
            )
        code = compile(source.replace(REPORT_LINE, KEEP_LINE), block.__file__, "exec")
        exec(code, block.__dict__)  # noqa: S102 - WeasyPrint's own function, one line changed
        block._linebox_layout.kib_wrapped = True
        if not getattr(inline.split_text_box, "kib_wrapped", False):
            inline.split_text_box = _mark_hyphenation(inline.split_text_box)
        if not getattr(block._break_line, "kib_wrapped", False):
            block._break_line = _keep_words_whole(block._break_line)
        _applied = True
