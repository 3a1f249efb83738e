"""What changed in a chapter since the previous published edition's chapter of the same theme.

Built from the structured records, not from the printed pages: both chapters' parts as
``themes.layout.load_printed_parts`` loads them (one load for both: the page costs not one query
more, whatever the number of parts), the recommendations with their movement assessments, and the
figures with the cells they draw (a figure's latest value per series against last year's figure of
the same title, or of the same number drawing one of the same indicators).
A part is matched with last year's by kind, area and title (what ``start_next_edition`` copies
keeps them): same text is unchanged, other text is rewritten (with a word diff), no match is
new, and a part of last year without a match is removed. A part whose title was changed
therefore shows as removed and new. The ``CarriedOver`` records (``kib.workflow.freshness``)
would match by copy instead, but at one query more than the page's budget of ten.
"""

import difflib
import html
import re
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from indicators import stats
from indicators.chart_data import figure_chart_data
from indicators.models import period_sort_key
from themes import models as themes

NEW, REWRITTEN, REMOVED = "nieuw", "herschreven", "vervallen"

# The chapter's own texts that go to print, with their label, in the printed order.
CHAPTER_TEXTS = [
    ("focus", _("Focus")),
    ("focus_text", _("Focus")),
    ("intro_question", _("Inleidende vraag")),
    ("summary", _("Zo staat het ervoor")),
]


@dataclass
class Change:
    status: str  # NEW, REWRITTEN or REMOVED
    title: str
    text: str = ""  # the new text (or the removed one), plain
    diff: str = ""  # a rewritten text: safe HTML with <del> and <ins>


@dataclass
class PartChanges:
    label: str
    changes: list = field(default_factory=list)


@dataclass
class ChapterChanges:
    previous: themes.Chapter
    parts: list = field(default_factory=list)  # PartChanges, in the printed order
    new_recommendations: list = field(default_factory=list)  # ChapterRecommendation of this chapter
    removed_recommendations: list = field(default_factory=list)  # ChapterRecommendation of the previous one
    assessed: list = field(default_factory=list)  # ChapterRecommendation with a movement
    unchanged: int = 0  # parts carried over as they were
    key_figure: "ValueChange | None" = None  # the headline's latest value, when it changed
    figures: list = field(default_factory=list)  # FigureChanges: figures whose latest value changed

    def __bool__(self):
        return bool(
            self.parts
            or self.new_recommendations
            or self.removed_recommendations
            or self.assessed
            or self.key_figure
            or self.figures
        )


@dataclass
class ValueChange:
    """A latest value against last year's: the key figure's (its last headline value) or a figure series'.

    ``before`` and ``after`` as printed ("6.351"), with their labels ("2023"); ``change`` computes
    the difference the Dutch way ("+649 (+10,2%)", or "+3 procentpunt" for a percentage).
    ``title``: the series of a figure with more than one ("" for the key figure or a figure's only series).
    """

    before: str
    before_label: str
    after: str
    after_label: str
    change: object  # indicators.stats.Change
    title: str = ""

    @property
    def change_display(self):
        parts = [self.change.absolute_display()]
        if not self.change.is_percent_unit and self.change.percent is not None:
            parts.append(f"({self.change.percent_display()})")
        return " ".join(parts)


def key_figure_change(previous, chapter):
    """The change of the latest headline value with a number, or None when it is the same (or either has none)."""

    def latest(c):
        return next((v for v in reversed(c.loaded_parts["headline_values"]) if v.value is not None), None)

    before, after = latest(previous), latest(chapter)
    if before is None or after is None or (before.value == after.value and before.label == after.label):
        return None
    change = stats.Change(before.label, after.label, before.value, after.value, unit=after.unit or before.unit)
    return ValueChange(
        before.display or stats.format_value(before.value, before.unit), before.label,
        after.display or stats.format_value(after.value, after.unit), after.label, change,
    )


@dataclass
class FigureChanges:
    """A figure of the chapter whose latest value changed, in one series or more (``values``: ValueChange)."""

    figure: themes.Figure
    values: list


def latest_values(figure):
    """{series label: (period, value, printed value, unit)}: the latest value each series of ``figure``'s chart
    draws, from what the page draws (``figure_chart_data``: published numbers on the public site)."""
    data = figure_chart_data(figure)
    if data is None:
        return {}
    cells = {}  # series label -> (period, unit, cell)
    if data.by_period:  # per series, its latest period
        for series in data.series:
            period = max(series.cells, key=period_sort_key)
            cells[series.label] = (period, series.unit or data.unit, series.cells[period])
    else:  # one period, the groups as bars: each group is a series of that period
        (series,) = data.series
        cells = {
            group: (series.label, data.row_units.get(group) or series.unit or data.unit, cell)
            for group, cell in series.cells.items()
        }
    return {
        label: (period, cell.value, stats.format_value(cell.value, unit, cell.flag), unit)
        for label, (period, unit, cell) in cells.items()
    }


def _previous_figure(figure, previous_figures):
    """The figure of last year's chapter that ``figure`` continues: the same title, else the same number
    drawing one of the same indicators (a retitled figure), else None."""
    same_title = next((f for f in previous_figures if f.title == figure.title), None)
    if same_title is not None:
        return same_title

    def indicators(f):
        try:
            return {link.indicator_id for link in f.chart.series.all()}
        except ObjectDoesNotExist:  # a figure without a chart
            return set()

    return next(
        (f for f in previous_figures if f.number == figure.number and indicators(f) & indicators(figure)), None
    )


def figure_changes(previous, chapter):
    """The figures of ``chapter`` whose latest value (per series) is another than in last year's figure:
    another value, or the same one of a later period. Both chapters' figures prefetched with their cells."""
    previous_figures = list(previous.figures.all())
    result = []
    for figure in chapter.figures.all():
        old_figure = _previous_figure(figure, previous_figures)
        if old_figure is None:
            continue
        before, after = latest_values(old_figure), latest_values(figure)
        values = []
        for label, (period, value, shown, unit) in after.items():
            if label not in before:
                continue
            old_period, old_value, old_shown, old_unit = before[label]
            if (old_period, old_value) == (period, value):
                continue
            change = stats.Change(old_period, period, old_value, value, unit=unit or old_unit)
            values.append(ValueChange(old_shown, old_period, shown, period, change, title=label if len(after) > 1 else ""))
        if values:
            result.append(FigureChanges(figure, values))
    return result


def plain(value):
    """A text as a reader sees it: tags gone, entities read, spaces folded."""
    spaced = re.sub(r"(</(p|li|h\d|div|td|th)>|<br\s*/?>)", r"\1 ", str(value or ""))  # paragraphs stay words apart
    return re.sub(r"\s+", " ", html.unescape(strip_tags(spaced))).strip()


CONTEXT_WORDS = 8


def word_diff(old, new):
    """HTML of two plain texts: removed words in <del>, added ones in <ins>, and of the words that stayed only
    the ``CONTEXT_WORDS`` around each change (the rest as "…"), so a changed figure in a long text stands out."""
    a, b = old.split(), new.split()
    out = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            words = a[i1:i2]
            head = words[:CONTEXT_WORDS] if n else []
            tail = words[-CONTEXT_WORDS:] if n < len(opcodes) - 1 else []
            if len(head) + len(tail) < len(words):
                out.append(escape(" ".join(head)) + (" … " if head or tail else "…") + escape(" ".join(tail)))
            else:
                out.append(escape(" ".join(words)))
            continue
        removed = f"<del>{escape(' '.join(a[i1:i2]))}</del>" if op in ("delete", "replace") else ""
        added = f"<ins>{escape(' '.join(b[j1:j2]))}</ins>" if op in ("insert", "replace") else ""
        out.append(removed + added)
    return mark_safe(" ".join(piece.strip() for piece in out if piece.strip()))


def text_diff(old, new):
    """A readable word diff of two (HTML) texts: removed words in <del>, added ones in <ins>."""
    return word_diff(plain(old), plain(new))


def previous_chapter(chapter, candidates):
    """The chapter of ``chapter``'s theme in the latest earlier edition of the same series, among
    ``candidates`` (published chapters, with their edition); None if there is none."""
    earlier = [
        c
        for c in candidates
        if c.theme_id == chapter.theme_id
        and c.edition.year < chapter.edition.year
        and c.edition.series == chapter.edition.series
        and c.edition.is_published
    ]
    return max(earlier, key=lambda c: c.edition.year, default=None)


# Per kind of part: its label, how to get the parts of a loaded chapter, and its title and text.
def _items(chapter):
    return [item for group in chapter.loaded_parts["development_groups"] for item in group.loaded_items]


def _block_title(part):
    return part.title or plain(part.body)[:80]


KEY_FIGURE_LABEL = _("Kerncijfer")

PART_KINDS = [
    (_("Definities"), lambda c: c.loaded_parts["definitions"], lambda p: p.question or p.label, ("question", "body")),
    (KEY_FIGURE_LABEL, lambda c: c.loaded_parts["headline_values"], lambda p: p.label, ("display", "unit")),
    (_("Kengetallen"), lambda c: c.loaded_parts["key_figures"], _block_title, ("title", "body")),
    (_("Ontwikkelingen per aanbeveling"), _items, _block_title, ("title", "body")),
    (_("Laatste ontwikkelingen"), lambda c: c.loaded_parts["latest_developments"], _block_title, ("title", "body")),
    (_("Vrije secties"), lambda c: c.loaded_parts["sections"], lambda p: p.title, ("title", "body")),
]


def _text(part, fields):
    return " ".join(plain(getattr(part, name)) for name in fields).strip()


def _compare_parts(old_parts, new_parts, title_of, fields):
    """Changes between two lists of one kind of part, matched by area and title (the first unmatched one)."""
    old_by_title = {}
    for p in old_parts:
        old_by_title.setdefault((getattr(p, "territory", ""), title_of(p)), []).append(p)
    matched, changes, unchanged = set(), [], 0
    for part in new_parts:
        candidates = old_by_title.get((getattr(part, "territory", ""), title_of(part)), [])
        old = next((p for p in candidates if p.pk not in matched), None)
        if old is None:
            changes.append(Change(NEW, title_of(part), text=plain(getattr(part, fields[-1]))))
            continue
        matched.add(old.pk)
        if all(getattr(old, name) == getattr(part, name) for name in fields):  # carried over as it was
            unchanged += 1
            continue
        before, after = _text(old, fields), _text(part, fields)
        if before == after:
            unchanged += 1
        else:
            changes.append(Change(REWRITTEN, title_of(part), text=after, diff=word_diff(before, after)))
    changes += [Change(REMOVED, title_of(p), text=plain(getattr(p, fields[-1]))) for p in old_parts if p.pk not in matched]
    return changes, unchanged


def compare(previous, chapter):
    """What changed in ``chapter`` since ``previous``; both loaded with ``load_printed_parts``."""
    result = ChapterChanges(previous=previous)
    own = PartChanges(str(capfirst(themes.Chapter._meta.verbose_name)))
    for name, label in CHAPTER_TEXTS:
        before, after = plain(getattr(previous, name)), plain(getattr(chapter, name))
        if before == after:
            result.unchanged += bool(after)
        elif not before:
            own.changes.append(Change(NEW, label, text=after))
        elif not after:
            own.changes.append(Change(REMOVED, label, text=before))
        else:
            own.changes.append(Change(REWRITTEN, label, text=after, diff=word_diff(before, after)))
    if own.changes:
        result.parts.append(own)
    result.key_figure = key_figure_change(previous, chapter)
    for label, parts_of, title_of, fields in PART_KINDS:
        changes, unchanged = _compare_parts(parts_of(previous), parts_of(chapter), title_of, fields)
        result.unchanged += unchanged
        if label is KEY_FIGURE_LABEL and result.key_figure is not None:
            # The key figure's line says it all: no separate "new" entry for its newest headline value.
            newest = result.key_figure.after_label
            changes = [c for c in changes if not (c.status == NEW and c.title == newest)]
        if changes:
            result.parts.append(PartChanges(label, changes))
    old_links = {link.recommendation_id: link for link in previous.chapter_recommendations.all()}
    new_links = {link.recommendation_id: link for link in chapter.chapter_recommendations.all()}
    result.new_recommendations = [link for pk, link in new_links.items() if pk not in old_links]
    result.removed_recommendations = [link for pk, link in old_links.items() if pk not in new_links]
    result.assessed = [link for pk, link in new_links.items() if pk in old_links and link.movement]
    result.figures = figure_changes(previous, chapter)
    return result
