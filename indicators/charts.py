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
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.db.models import F, Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from indicators.models import SPLIT, Chart, FigureSeries, Observation, period_sort_key
from indicators.stats import flag_notes, format_number, format_value, is_percent_unit

WIDTH = 640
FONT_SIZE = 12
SMALL = 11
CHAR_WIDTH = 6.6  # average advance of a 12px sans-serif character, for wrapping and layout
TEXT = "#1d1d1b"
MUTED = "#5f6368"
GRID = "#d9d9d9"
COLOURS = ["#1b4f8a", "#e07b00", "#3f8f3a", "#8e3b8f", "#b03a2e", "#5d6d7e", "#0f8b8d", "#a67c00"]
MAX_SERIES_IN_CHART = 8
MISSING_MARK = "–"


@dataclass
class Cell:
    value: object  # Decimal
    flag: str = ""


@dataclass
class Series:
    label: str
    cells: dict = field(default_factory=dict)  # category -> Cell
    unit: str = ""


@dataclass
class ChartData:
    title: str
    kind: str
    categories: list
    series: list
    unit: str = ""
    value_label: str = ""
    by_period: bool = True  # categories are periods (else: groups of one period)
    row_units: dict = field(default_factory=dict)  # group label -> unit, when groups became categories
    note: str = ""  # printed under the chart, after the notes on flags

    @property
    def missing(self):
        """(series, category) pairs without a value in a grouped chart: drawn as a mark, explained in a note."""
        if self.kind != Chart.Kind.GROUPED_BAR:
            return []
        return [(s, c) for s in self.series for c in self.categories if c not in s.cells]

    @property
    def flags(self):
        return {cell.flag for s in self.series for cell in s.cells.values() if cell.flag}

    def values(self):
        return [float(cell.value) for s in self.series for cell in s.cells.values()]

    def fmt(self, cell, series=None):
        unit = series.unit if series is not None and series.unit else self.unit
        return format_value(cell.value, unit, cell.flag)


# -- from the database to ChartData ------------------------------------------


def _series_from_observations(observations, base_label, split_fields, unit=""):
    """One Series per combination of the split fields, in the order the figures were entered."""
    groups = {}
    for obs in sorted(observations, key=lambda o: o.pk or 0):
        key = tuple(getattr(obs, f) for f in split_fields)
        groups.setdefault(key, {})[obs.period] = Cell(obs.value, obs.flag)
    result = []
    for key, cells in groups.items():
        parts = [_split_label(f, v) for f, v in zip(split_fields, key, strict=True)]
        label = " – ".join(p for p in [base_label, *parts] if p) or base_label
        result.append(Series(label=label, cells=cells, unit=unit))
    return result


def _split_label(field_name, value):
    if field_name == "territory":
        return str(dict(Observation._meta.get_field("territory").choices).get(value, value))
    return value or _("totaal")


def _arrange(title, kind, series, unit, value_label, periods_wanted=None):
    series = [s for s in series if s.cells]
    if not series:
        return None
    periods = sorted({p for s in series for p in s.cells}, key=period_sort_key)
    if periods_wanted:
        periods = [p for p in periods if p in periods_wanted]
        for s in series:
            s.cells = {p: c for p, c in s.cells.items() if p in periods}
        series = [s for s in series if s.cells]
        if not series:
            return None
    data = ChartData(title=title, kind=kind, categories=periods, series=series, unit=unit, value_label=value_label)
    if len(periods) == 1 and len(series) > 1:
        # One period, several groups: the groups become the bars.
        (period,) = periods
        data.categories = [s.label for s in series]
        units = {s.unit for s in series}
        data.series = [
            Series(
                label=period,
                cells={s.label: s.cells[period] for s in series},
                unit=units.pop() if len(units) == 1 else "",
            )
        ]
        data.row_units = {s.label: s.unit for s in series}
        data.by_period = False
    if data.kind == Chart.Kind.LINE and len(data.categories) < 2:
        data.kind = Chart.Kind.BAR
    if data.kind == Chart.Kind.LINE and not data.by_period:
        data.kind = Chart.Kind.BAR
    if data.kind == Chart.Kind.BAR and len(data.series) > 1:
        data.kind = Chart.Kind.GROUPED_BAR
    if data.kind == Chart.Kind.GROUPED_BAR and len(data.series) == 1:
        data.kind = Chart.Kind.BAR
    if len(data.series) > MAX_SERIES_IN_CHART:
        data.kind = Chart.Kind.TABLE
    return data


def _drawn(link):
    """The observations a series draws: those ``load_drawn_cells`` fetched, else every one of its indicator."""
    cells = getattr(link, "drawn_cells", None)
    if cells is None:
        cells = link.indicator.observations.all()
    return [o for o in cells if o.value is not None and link.matches(o)]


def chart_data(chart):
    """ChartData for a ``Chart`` (a figure's chart), or None without data."""
    # Only .all() on relations, so a caller's prefetch (series with their indicator, then
    # ``load_drawn_cells``) draws every chart of a chapter without further queries.
    links = sorted(chart.series.all(), key=lambda link: (link.position, link.pk))
    if not links:
        return None
    series = []
    units = set()
    drawn = {link.pk: _drawn(link) for link in links}
    shown = set(chart.shown_periods({o.period for cells in drawn.values() for o in cells}))
    for link in links:
        observations = [o for o in drawn[link.pk] if o.period in shown]
        if not observations:
            continue
        units.add(link.indicator.unit)
        split_fields = [f for f in ("territory", "sex", "age_group", "breakdown") if getattr(link, f) == SPLIT]
        base = link.label or (link.indicator.name if len(links) > 1 or not split_fields else "")
        series.extend(_series_from_observations(observations, base, split_fields, link.indicator.unit))
    if not series:
        return None
    kind = chart.kind if len(units) == 1 else Chart.Kind.TABLE
    unit = units.pop() if len(units) == 1 else ""
    value_label = chart.value_label or ("" if is_percent_unit(unit) else unit)
    return _arrange(chart.figure.title, kind, series, unit, value_label)


# -- only what the charts draw, for many charts at once ------------------------------------

MATCH_FIELDS = ("territory", "sex", "age_group", "breakdown")


def _series_matches(public_only):
    """For ``FigureSeries`` rows joined to their indicator's observations: the observation lies in the series."""
    condition = Q(indicator__observations__public=True) if public_only else Q(indicator__observations__isnull=False)
    for name in MATCH_FIELDS:
        condition &= Q(**{name: SPLIT}) | Q(**{f"indicator__observations__{name}": F(name)})
    return condition


def drawn_periods(charts, public_only=False):
    """``{chart id: set of periods}`` with data in the series of ``charts`` (a queryset or ids), in one query.

    The database joins series to observations and returns the distinct periods: a row per chart
    and period, however many observations there are.
    """
    rows = (
        FigureSeries.objects.filter(chart__in=charts)
        .filter(_series_matches(public_only))
        .order_by()
        .values_list("chart_id", "indicator__observations__period")
        .distinct()
    )
    periods = {}
    for chart_id, period in rows:
        periods.setdefault(chart_id, set()).add(period)
    return periods


def load_drawn_cells(figures, public_only=False):
    """Fetch exactly the observations the charts of ``figures`` draw, in two queries for any number of figures.

    ``figures`` come with ``chart`` and ``chart.series`` (with their indicator) prefetched. The
    periods with data per chart come first (``drawn_periods``), each chart keeps those it shows
    (named periods, its window, or all: ``Chart.shown_periods``), then one query fetches the
    cells of those periods in each series' territory and breakdown. Each series gets them as
    ``drawn_cells``, which ``chart_data`` reads instead of every observation of the indicator.
    ``public_only`` (the public site) fetches published observations, as published.
    """
    charts = [chart for figure in figures if (chart := getattr(figure, "chart", None)) is not None]
    links = [link for chart in charts for link in chart.series.all()]
    for link in links:
        link.drawn_cells = []
    if not links:
        return figures
    available = drawn_periods([chart.pk for chart in charts], public_only)
    groups = {}  # same fixed fields and periods: one condition for all their indicators
    for chart in charts:
        shown = frozenset(chart.shown_periods(available.get(chart.pk, ())))
        if not shown:
            continue
        for link in chart.series.all():
            fixed = tuple((name, getattr(link, name)) for name in MATCH_FIELDS if getattr(link, name) != SPLIT)
            groups.setdefault((fixed, shown), set()).add(link.indicator_id)
    if not groups:
        return figures
    condition = Q()
    for (fixed, shown), indicator_ids in groups.items():
        condition |= Q(indicator_id__in=sorted(indicator_ids), period__in=sorted(shown), **dict(fixed))
    cells = Observation.objects.filter(condition).order_by("pk")
    if public_only:
        cells = cells.public()
    by_indicator = {}
    for observation in cells:
        if public_only:
            observation.as_published()
        by_indicator.setdefault(observation.indicator_id, []).append(observation)
    for chart in charts:
        shown = set(chart.shown_periods(available.get(chart.pk, ())))
        for link in chart.series.all():
            link.drawn_cells = [
                o for o in by_indicator.get(link.indicator_id, ()) if o.period in shown and link.matches(o)
            ]
    return figures


def indicator_data(indicator, observations=None):
    """ChartData of one indicator's ``observations`` (default: every one; its admin page and public page)."""
    observations = list(indicator.observations.all() if observations is None else observations)
    if not observations:
        return None
    fields = ("territory", "sex", "age_group", "breakdown")
    note = ""
    if len({tuple(getattr(o, f) for f in fields) for o in observations}) > MAX_SERIES_IN_CHART:
        # Too many breakdowns for one readable chart: it draws the totals, the table has the rest.
        totals = [o for o in observations if not (o.sex or o.age_group or o.breakdown)]
        if totals and len({o.territory for o in totals}) <= MAX_SERIES_IN_CHART:
            observations, note = totals, _("De grafiek toont de totalen; de uitsplitsingen staan in de tabel.")
    varying = [f for f in fields if len({getattr(o, f) for o in observations}) > 1]
    if not varying and observations[0].territory != "NL":
        varying = ["territory"]
    series = _series_from_observations(observations, "" if varying else indicator.name, varying, indicator.unit)
    periods = {o.period for o in observations}
    kind = Chart.Kind.LINE if len(periods) >= 4 else Chart.Kind.BAR
    value_label = "" if is_percent_unit(indicator.unit) else indicator.unit
    data = _arrange(indicator.name, kind, series, indicator.unit, value_label)
    if data is not None:
        data.note = note
    return data


# -- public API ---------------------------------------------------------------


def figure_chart_data(figure):
    """ChartData of a ``themes.Figure``, or None when it has no chart or no data yet."""
    try:
        chart = figure.chart
    except Chart.DoesNotExist:
        return None
    return chart_data(chart)


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
    plot_top, plot_height = top + 18, 220.0
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
