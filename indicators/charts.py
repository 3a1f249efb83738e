"""Charts drawn as plain SVG from indicator series — one renderer for the web and the PDF.

``figure_svg(figure)`` is the contract the public site and the PDF use: the inline SVG
of a numbered figure, or ``None`` when the figure has no data yet. The SVG keeps to
what WeasyPrint draws well: ``rect``, ``line``, ``path``, ``circle`` and ``text`` with an
explicit width, height and viewBox, no CSS, fonts inherited from the page. Text stays
text (searchable, selectable, read aloud); ``<title>`` and ``<desc>`` carry the figure's
title and every number, so the chart is readable without seeing it.
"""

import math
import textwrap
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from indicators.chart_data import Series, figure_chart_data, indicator_data
from indicators.models import Chart, period_sort_key
from indicators.stats import flag_notes, format_number, is_percent_unit

WIDTH = 640
FONT_SIZE = 12
SMALL = 11
PLOT_HEIGHT = 150.0  # the value axis; the PDF prints the 640 units at the figure's full width
CHAR_WIDTH = 6.6  # average advance of a 12px sans-serif character, for wrapping and layout
TEXT = "#1d1d1b"
MUTED = "#5f6368"
GRID = "#d9d9d9"
COLOURS = ["#1b4f8a", "#e07b00", "#3f8f3a", "#8e3b8f", "#b03a2e", "#5d6d7e", "#0f8b8d", "#a67c00"]
MISSING_MARK = "–"


def figure_svg(figure):
    """The chart of a ``themes.Figure`` as inline SVG, or None when the figure has no data yet."""
    data = figure_chart_data(figure)
    if data is None:
        return None
    return render_svg(data, f"kib-figuur-{figure.pk}")


def indicator_svg(indicator, observations=None):
    data = indicator_data(indicator, observations)
    if data is None:
        return None
    return render_svg(data, f"kib-indicator-{indicator.pk}")


def render_svg(data, element_id):
    renderer = {
        Chart.Kind.BAR: _columns_or_bars,
        Chart.Kind.GROUPED_BAR: _columns_or_bars,
        Chart.Kind.LINE: _line,
        Chart.Kind.TABLE: _table,
    }[data.kind]
    canvas = Canvas()
    height = renderer(data, canvas)
    height = _notes(data, canvas, height)
    return mark_safe(canvas.svg(element_id, height, data.title, describe(data)))


def describe(data):
    """Every number of the chart in words, for <desc> and screen readers."""
    sentences = []
    if data.value_label:
        sentences.append(_("Waarden: %(label)s.") % {"label": data.value_label})
    for s in data.series:
        values = "; ".join(f"{cat}: {data.fmt(s.cells[cat], s)}" for cat in data.categories if cat in s.cells)
        sentences.append(
            f"{s.label}: {values}." if s.label and (len(data.series) > 1 or data.by_period) else f"{values}."
        )
    sentences.extend(f"{note}." for note in flag_notes(data.flags))
    for s, category in data.missing:
        sentences.append(_("%(series)s, %(category)s: geen gegevens.") % {"series": s.label, "category": category})
    return " ".join(sentences)


# -- drawing ------------------------------------------------------------------


class Canvas:
    def __init__(self):
        self.parts = []

    def add(self, markup):
        self.parts.append(markup)

    def text(self, x, y, content, size=FONT_SIZE, anchor="start", colour=TEXT, weight=None, lines=None):
        attrs = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{colour}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if weight:
            attrs += f' font-weight="{weight}"'
        if lines and len(lines) > 1:
            spans = "".join(
                f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size + 2}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            self.add(f"<text {attrs}>{spans}</text>")
        else:
            self.add(f"<text {attrs}>{escape(str(content))}</text>")

    def rect(self, x, y, w, h, fill, dashed=False):
        extra = f' fill-opacity="0.35" stroke="{fill}" stroke-width="1" stroke-dasharray="3 2"' if dashed else ""
        self.add(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{fill}"{extra}/>'
        )

    def line(self, x1, y1, x2, y2, colour=GRID, width=1, dashed=False):
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        self.add(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="{width}"{dash}/>'
        )

    def svg(self, element_id, height, title, desc):
        height = math.ceil(height)
        ids = f"{element_id}-title {element_id}-desc"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="kib-chart" role="img" aria-labelledby="{ids}" '
            f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="inherit">'
            f'<title id="{element_id}-title">{escape(title)}</title>'
            f'<desc id="{element_id}-desc">{escape(desc)}</desc>' + "".join(self.parts) + "</svg>"
        )


def wrap(text, width_px, size=FONT_SIZE, max_lines=3):
    chars = max(4, int(width_px / (size * CHAR_WIDTH / FONT_SIZE)))
    lines = textwrap.wrap(str(text), chars) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, chars - 1)].rstrip() + "…"
    return lines


def nice_scale(low, high, ticks=5):
    """Axis from 0 (or below for negative values) to a round maximum, with round steps."""
    low, high = min(0.0, low), max(0.0, high)
    if high == low:
        high = low + 1
    raw = (high - low) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _tick_label(value, unit):
    text = format_number(round(value, 3))
    return text + ("%" if is_percent_unit(unit) else "")


def _legend(data, canvas, top):
    """Legend swatches, several to a row when the names are short; returns the y below it."""
    if len(data.series) < 2:
        return top
    x, y = 0.0, top
    full = int((WIDTH - 20) / (SMALL * CHAR_WIDTH / FONT_SIZE))
    for i, s in enumerate(data.series):
        label = s.label if len(s.label) <= full else s.label[: full - 1] + "…"
        label_width = len(label) * SMALL * CHAR_WIDTH / FONT_SIZE + 36
        if x and x + label_width > WIDTH:
            x, y = 0.0, y + 18
        canvas.rect(x, y, 12, 12, COLOURS[i % len(COLOURS)])
        canvas.text(x + 17, y + 10.5, label, size=SMALL)
        x += label_width
    return y + 24


def _value_label_line(data, canvas, top):
    if data.value_label and data.kind != Chart.Kind.TABLE:
        canvas.text(0, top + 11, data.value_label, size=SMALL, colour=MUTED)
        return top + 20
    return top


def _columns_or_bars(data, canvas):
    longest = max(len(str(c)) for c in data.categories)
    if longest <= 12 and len(data.categories) * max(1, len(data.series)) <= 16:
        return _columns(data, canvas)
    return _bars(data, canvas)


def _value_axis(data, canvas, left, right):
    """Legend, value label and a vertical value scale with grid lines from ``left`` to ``right``.

    Returns the bottom of the plot and the function from a value to its y position.
    """
    top = _legend(data, canvas, 0)
    top = _value_label_line(data, canvas, top)
    values = data.values()
    low, high, step = nice_scale(min(values), max(values))
    plot_top, plot_height = top + 18, PLOT_HEIGHT
    bottom = plot_top + plot_height

    def y_of(v):
        return bottom - (v - low) / (high - low) * plot_height

    tick = low
    while tick <= high + step / 2:
        y = y_of(tick)
        canvas.line(left, y, right, y, GRID)
        canvas.text(left - 6, y + 4, _tick_label(tick, data.unit), size=SMALL, anchor="end", colour=MUTED)
        tick += step
    return bottom, y_of


def _columns(data, canvas):
    """Vertical columns: categories along the bottom, one column per series in each group."""
    left, right = 64.0, WIDTH - 8.0
    bottom, y_of = _value_axis(data, canvas, left, right)
    group_width = (right - left) / len(data.categories)
    n = len(data.series)
    bar_width = min(64.0, group_width * 0.7 / n)
    label_lines = 1
    for ci, category in enumerate(data.categories):
        group_left = left + ci * group_width + (group_width - bar_width * n) / 2
        for si, s in enumerate(data.series):
            cell = s.cells.get(category)
            x = group_left + si * bar_width
            if cell is None:  # no value: a mark on the base line, explained under the chart
                canvas.text(x + bar_width / 2, y_of(0) - 4, MISSING_MARK, size=SMALL, anchor="middle", colour=MUTED)
                continue
            v = float(cell.value)
            y0, y1 = y_of(max(v, 0)), y_of(min(v, 0))
            canvas.rect(x + 1, y0, bar_width - 2, y1 - y0, COLOURS[si % len(COLOURS)], cell.flag == "suppressed")
            label = data.fmt(cell, s)
            canvas.text(x + bar_width / 2, y0 - 4, label, size=SMALL if n > 1 else FONT_SIZE, anchor="middle")
        lines = wrap(category, group_width - 4, max_lines=2)
        label_lines = max(label_lines, len(lines))
        canvas.text(left + (ci + 0.5) * group_width, bottom + 16, category, anchor="middle", lines=lines)
    canvas.line(left, y_of(0), right, y_of(0), TEXT)
    return bottom + 16 + label_lines * (FONT_SIZE + 2) + 4


def _bars(data, canvas):
    """Horizontal bars: long group names on the left, values at the end of each bar."""
    top = _legend(data, canvas, 0)
    top = _value_label_line(data, canvas, top)
    values = data.values()
    low, high, _step = nice_scale(min(values), max(values))
    label_width = 230.0
    left, right = label_width + 8, WIDTH - 72.0
    n = len(data.series)
    bar_height = 18.0 if n == 1 else 13.0
    y = top + 4

    def x_of(v):
        return left + (v - low) / (high - low) * (right - left)

    for category in data.categories:
        lines = wrap(category, label_width, max_lines=4)
        block = max(n * bar_height + 8, len(lines) * (FONT_SIZE + 2) + 8)
        canvas.text(0, y + 13, category, lines=lines)
        for si, s in enumerate(data.series):
            cell = s.cells.get(category)
            by = y + si * bar_height
            if cell is None:  # no value: a mark at the base line, explained under the chart
                canvas.text(x_of(0) + 5, by + bar_height - 4.5, MISSING_MARK, size=SMALL, colour=MUTED)
                continue
            v = float(cell.value)
            x0, x1 = x_of(min(v, 0)), x_of(max(v, 0))
            canvas.rect(x0, by + 1, x1 - x0, bar_height - 2, COLOURS[si % len(COLOURS)], cell.flag == "suppressed")
            canvas.text(x1 + 5, by + bar_height - 4.5, data.fmt(cell, s), size=SMALL if n > 1 else FONT_SIZE)
        y += block
    canvas.line(x_of(0), top, x_of(0), y, TEXT)
    return y + 4


def _line(data, canvas):
    """Lines over time; the x position follows the years, so gaps between years stay visible."""
    left, right = 64.0, WIDTH - 32.0
    bottom, y_of = _value_axis(data, canvas, left, right)
    years = {c: sum(period_sort_key(c)) / 2 for c in data.categories}
    first, last = min(years.values()), max(years.values())
    span = (last - first) or 1

    def x_of(category):
        return left + 12 + (years[category] - first) / span * (right - left - 24)

    canvas.line(left, y_of(0), right, y_of(0), TEXT)
    for category in data.categories:
        canvas.text(x_of(category), bottom + 16, category, anchor="middle")
    for si, s in enumerate(data.series):
        colour = COLOURS[si % len(COLOURS)]
        path, pen_down = [], False
        for category in data.categories:
            cell = s.cells.get(category)
            if cell is None:
                pen_down = False
                continue
            x, y = x_of(category), y_of(float(cell.value))
            path.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
            pen_down = True
        canvas.add(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for category in data.categories:
            cell = s.cells.get(category)
            if cell is None:
                continue
            x, y = x_of(category), y_of(float(cell.value))
            canvas.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            canvas.text(x, y - 8, data.fmt(cell, s), size=SMALL, anchor="middle")
    return bottom + 28


def _table(data, canvas):
    """The numbers as a table: one row per series (or group), one column per period."""
    if data.by_period:
        columns = data.categories
        rows = [(s.label or data.title, s.cells, s) for s in data.series]
    else:
        (only,) = data.series
        columns = [only.label]
        rows = [
            (category, {only.label: only.cells[category]}, Series("", unit=data.row_units.get(category, "")))
            for category in data.categories
        ]
    label_width = 330.0 if len(columns) <= 2 else 240.0 if len(columns) <= 4 else 170.0
    col_width = (WIDTH - label_width) / max(1, len(columns))
    header_lines = [wrap(c, col_width - 8, size=SMALL, max_lines=3) for c in columns]
    header_height = max(len(lines) for lines in header_lines) * (SMALL + 2) + 10
    for i, (column, lines) in enumerate(zip(columns, header_lines, strict=True)):
        x = label_width + (i + 1) * col_width - 6
        canvas.text(x, 13, column, size=SMALL, anchor="end", weight="bold", lines=lines)
    y = header_height
    canvas.line(0, y, WIDTH, y, TEXT)
    for label, cells, series in rows:
        lines = wrap(label, label_width - 8)
        canvas.text(0, y + 16, label, lines=lines)
        for i, column in enumerate(columns):
            cell = cells.get(column)
            text = data.fmt(cell, series) if cell else "–"
            canvas.text(label_width + (i + 1) * col_width - 6, y + 16, text, anchor="end")
        y += len(lines) * (FONT_SIZE + 2) + 10
        canvas.line(0, y, WIDTH, y, GRID)
    return y + 6


def _notes(data, canvas, y):
    notes = flag_notes(data.flags) + ([data.note] if data.note else [])
    if data.kind == Chart.Kind.TABLE and data.unit and not is_percent_unit(data.unit):
        notes.insert(0, _("Eenheid: %(unit)s") % {"unit": data.unit})
    if data.missing:
        notes.append(_("%(mark)s = geen gegevens voor die groep in die periode") % {"mark": MISSING_MARK})
    for note in notes:
        canvas.text(0, y + 14, note, size=SMALL, colour=MUTED)
        y += 16
    return y + 4
