"""Chart data: what a figure's chart or an indicator page draws, read from indicator series.

``chart_data(chart)`` and ``indicator_data(indicator)`` give a ``ChartData`` (series of cells by
period or group) that ``indicators.charts`` draws as SVG and the PDF prints as a table;
``drawn_periods`` and ``load_drawn_cells`` fetch only the periods and cells the charts draw.
"""

from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import SPLIT, Chart, FigureSeries, Observation, period_sort_key
from indicators.stats import format_value, is_percent_unit
from kib.db.rows import kept_query
from kib.models import Edition
from kib.publication.models import ChartSnapshot, SnapshotCell

MAX_SERIES_IN_CHART = 8
TOTALS_NOTE = gettext_lazy("De grafiek toont de totalen; de uitsplitsingen staan in de tabel.")


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

    ``figures`` come with ``chart`` and ``chart.series`` (with their indicator) prefetched, on the
    public site ``chart.snapshot`` too (``select_related``: then one query for the cells). Each
    series gets its cells as ``drawn_cells``, which ``chart_data`` reads instead of every
    observation of the indicator.

    ``public_only`` (the public site): a chart of a published edition draws the cells taken at its
    publication (``kib.publication.models.ChartSnapshot``, see ``load_snapshot_cells``), so a later
    edition's numbers never reach it; a chart without one draws the live published numbers.
    Without ``public_only`` (the edition in preparation, draft previews) every chart draws the
    live observations (``load_live_cells``).
    """
    charts = [chart for figure in figures if (chart := getattr(figure, "chart", None)) is not None]
    if public_only:
        charts = load_snapshot_cells(charts)  # leaves the charts of no published edition
    load_live_cells(charts, public_only)
    return figures


def load_live_cells(charts, public_only=False):
    """Set ``drawn_cells`` on every series of ``charts`` from the observations, in two queries.

    The periods with data per chart come first (``drawn_periods``), each chart keeps those it shows
    (named periods, its window, or all: ``Chart.shown_periods``), then one query fetches the
    cells of those periods in each series' territory and breakdown. ``public_only`` fetches
    published observations, as published.
    """
    links = [link for chart in charts for link in chart.series.all()]
    for link in links:
        link.drawn_cells = []
    if not links:
        return charts
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
        return charts
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
    return charts


# -- the snapshot of a published edition's charts ------------------------------------------


def take_snapshot(edition):
    """Take (again) the cells every chart of ``edition`` draws online: at publication and when a correction closes.

    Called by the publication's own step after the edition's numbers were made public, inside its
    transaction. Replaces an earlier snapshot of the edition. Returns the number of cells.
    """
    charts = list(Chart.objects.filter(figure__chapter__edition=edition).prefetch_related("series"))
    ChartSnapshot.objects.filter(chart__in=[chart.pk for chart in charts]).delete()
    return _store_snapshot(load_live_cells(charts, public_only=True))


def _store_snapshot(charts):
    """Store the ``drawn_cells`` just loaded on the series of ``charts`` as their snapshot."""
    snapshots = ChartSnapshot.objects.bulk_create(ChartSnapshot(chart=chart) for chart in charts)
    cells = [
        SnapshotCell(
            snapshot=snapshot,
            series_id=link.pk,
            observation_pk=o.pk,
            period=o.period,
            territory=o.territory,
            sex=o.sex,
            age_group=o.age_group,
            breakdown=o.breakdown,
            value=o.value,
            flag=o.flag,
        )
        for snapshot, chart in zip(snapshots, charts, strict=True)
        for link in chart.series.all()
        for o in link.drawn_cells
        if o.value is not None
    ]
    SnapshotCell.objects.bulk_create(cells, batch_size=1000)
    return len(cells)


@kept_query  # built and compiled once per connection (``kib.db.rows.kept_query``)
def _snapshot_cells(chart_ids):
    rows = SnapshotCell.objects.filter(snapshot__chart__in=chart_ids)
    return rows.order_by("observation_pk", "pk").values_list(*CELL_FIELDS)


def load_snapshot_cells(charts):
    """Set ``drawn_cells`` from the snapshot on the series of the charts that have one; returns the others.

    Every chart of an edition published through ``publish_edition`` has one (the migration that added
    snapshots took them for the editions published before); a chart without one draws the live
    published numbers, as before snapshots.
    """
    if not charts:
        return charts
    taken, by_series = set(), {}
    if all(Chart.snapshot.is_cached(chart) for chart in charts):  # fetched with the chart (select_related)
        taken = {chart.pk for chart in charts if getattr(chart, "snapshot", None) is not None}
        rows = _snapshot_cells(sorted(taken)) if taken else []
    else:  # one query: the snapshots with their cells (a snapshot without cells gives one row of NULLs)
        rows = []
        snapshots = ChartSnapshot.objects.filter(chart__in=[chart.pk for chart in charts])
        for chart_id, *cell in snapshots.order_by("cells__observation_pk", "cells__pk").values_list(
            "chart_id", *(f"cells__{name}" for name in CELL_FIELDS)
        ):
            taken.add(chart_id)
            rows.append(cell)
    for series_id, *cell in rows:
        if series_id is not None:
            by_series.setdefault(series_id, []).append(cell)
    for chart in charts:
        if chart.pk in taken:
            for link in chart.series.all():
                link.drawn_cells = [_as_observation(cell, link.indicator_id) for cell in by_series.get(link.pk, ())]
    return [chart for chart in charts if chart.pk not in taken]


CELL_FIELDS = ("series_id", "observation_pk", "period", "territory", "sex", "age_group", "breakdown", "value", "flag")


def _as_observation(cell, indicator_id):
    pk, period, territory, sex, age_group, breakdown, value, flag = cell
    return Observation(
        pk=pk,
        indicator_id=indicator_id,
        period=period,
        territory=territory,
        sex=sex,
        age_group=age_group,
        breakdown=breakdown,
        value=value,
        flag=flag,
    )


def take_missing_snapshots():
    """Take the snapshot of every chart of a published edition that has none (editions published before
    snapshots existed: the migration that added them calls this). Returns the number of charts taken."""
    charts = list(
        Chart.objects.filter(figure__chapter__edition__in=Edition.objects.published(), snapshot__isnull=True)
        .order_by("pk")
        .prefetch_related("series")
    )
    _store_snapshot(load_live_cells(charts, public_only=True))
    return len(charts)


def folded_breakdowns(cells):
    """The breakdowns a chart of an indicator leaves out (its totals shown), or () to draw every cell.

    ``cells`` are the distinct (area, sex, age group, breakdown) of its observations. Up to
    ``MAX_SERIES_IN_CHART`` cells are all drawn; with more, the chart draws the totals of each
    area, or, when the indicator has no totals (every figure is of a breakdown), the figures
    without sex and age group.
    """
    if len(cells) <= MAX_SERIES_IN_CHART:
        return ()
    for folded in (("sex", "age_group", "breakdown"), ("sex", "age_group")):
        index = [MATCH_FIELDS.index(name) for name in folded]
        kept = [cell for cell in cells if not any(cell[i] for i in index)]
        if 0 < len(kept) <= MAX_SERIES_IN_CHART:
            return folded
    return ()


def indicator_data(indicator, observations=None, note=""):
    """ChartData of one indicator's ``observations`` (default: every one; its admin page and public page).

    ``note`` is printed under the chart (the public page passes ``TOTALS_NOTE`` when it fetched the totals only).
    """
    observations = list(indicator.observations.all() if observations is None else observations)
    if not observations:
        return None
    fields = ("territory", "sex", "age_group", "breakdown")
    folded = folded_breakdowns({tuple(getattr(o, f) for f in fields) for o in observations})
    if folded:
        # Too many breakdowns for one readable chart: it draws the main cells, the table has the rest.
        observations = [o for o in observations if all(not getattr(o, name) for name in folded)]
        note = TOTALS_NOTE
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
