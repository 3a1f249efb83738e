"""Indicator work that spans an edition: carrying links and data gaps forward (``on_chapter_copied``), finding missing data."""

from django.db.models import F, Q
from simple_history.utils import bulk_update_with_history

from indicators.chart_data import drawn_periods, take_snapshot
from indicators.models import Chart, DataGap, FigureSeries, HeadlineSeries, Indicator, Observation
from kib import freeze
from themes.models import Figure


def carry_data_gaps(old_chapter, new_chapter):
    """Copy the open and partly solved data gaps of ``old_chapter`` into ``new_chapter``.

    A gap keeps the edition in which it was first noted; a gap already carried forward is
    not copied twice, so this is safe to call again. Returns the new gaps.
    """
    already = set(new_chapter.data_gaps.filter(carried_from__isnull=False).values_list("carried_from_id", flat=True))
    gaps = old_chapter.data_gaps.filter(status__in=[DataGap.Status.OPEN, DataGap.Status.PARTLY]).exclude(pk__in=already)
    return [
        DataGap.objects.create(
            chapter=new_chapter,
            description=gap.description,
            holder=gap.holder,
            recommendation_id=gap.recommendation_id,
            indicator_id=gap.indicator_id,
            territory=gap.territory,
            first_noted_in_id=gap.first_noted_in_id or old_chapter.edition_id,
            status=gap.status,
            position=gap.position,
            carried_from=gap,
        )
        for gap in gaps
    ]


def carry_series(old_chapter, new_chapter):
    """Link the figures and headline figure of ``new_chapter`` to the same indicator series as last year.

    Figures are matched by number. A figure or chapter that already has its own chart or
    headline series is left alone. A chart's periods pinned at publication become a window of
    as many periods (next year's chart shows the newest one too, and drops the oldest: it does
    not grow with every year since the series began); a window or periods an editor chose are kept. The headline
    keeps its first period and compares with the newest ("tot periode" becomes empty).
    Returns the number of links made.
    """
    made = 0
    new_figures = {figure.number: figure for figure in new_chapter.figures.filter(chart__isnull=True)}
    charts = Chart.objects.filter(figure__chapter=old_chapter).select_related("figure").prefetch_related("series")
    for chart in charts:
        figure = new_figures.get(chart.figure.number)
        if figure is None:
            continue
        periods, window = chart.periods, chart.window
        if chart.periods_pinned:  # next year: the same number of periods, moved on by one
            periods, window = "", window or len(chart.period_list()) or None
        copy = Chart.objects.create(
            figure=figure, kind=chart.kind, periods=periods, window=window, value_label=chart.value_label
        )
        FigureSeries.objects.bulk_create(
            FigureSeries(
                chart=copy,
                indicator_id=series.indicator_id,
                label=series.label,
                territory=series.territory,
                sex=series.sex,
                age_group=series.age_group,
                breakdown=series.breakdown,
                position=series.position,
            )
            for series in chart.series.all()
        )
        made += 1
    headline = HeadlineSeries.objects.filter(chapter=old_chapter).first()
    if headline is not None and not HeadlineSeries.objects.filter(chapter=new_chapter).exists():
        HeadlineSeries.objects.create(
            chapter=new_chapter,
            indicator_id=headline.indicator_id,
            period_from=headline.period_from,
            period_to="",
            territory=headline.territory,
            sex=headline.sex,
            age_group=headline.age_group,
            breakdown=headline.breakdown,
        )
        made += 1
    return made


def figures_without_data(edition, chapters=None):
    """The figures of ``edition`` that cannot be drawn yet ("data to be entered"), in print order.

    ``chapters`` (ids) narrows it to those chapters. Two queries, whatever the number of figures
    and observations: the figures with their chart, and the periods with data per chart
    (``drawn_periods``, a row per chart and period). A figure lacks data when it has no chart,
    or its chart shows no period with data (its named periods have none).
    """
    figures = (
        Figure.objects.filter(chapter__edition=edition)
        .select_related("chapter__theme", "chapter__edition", "chart")
        .order_by("chapter__theme__number", "number")
    )
    if chapters is not None:
        figures = figures.filter(chapter__in=chapters)
    figures = list(figures)
    charts = [figure.chart for figure in figures if _chart_of(figure) is not None]
    available = drawn_periods([chart.pk for chart in charts]) if charts else {}
    return [
        figure
        for figure in figures
        if _chart_of(figure) is None or not figure.chart.shown_periods(available.get(figure.chart.pk, ()))
    ]


def _chart_of(figure):
    try:
        return figure.chart
    except Chart.DoesNotExist:
        return None


def pin_chart_periods(edition):
    """Fix the periods each chart of ``edition`` shows to those it shows now (called on publication).

    A published report must not change when next year's numbers are imported: afterwards
    its figures keep drawing the same periods (a corrected value within them does show).
    Charts that already name their periods are left alone; a chart with a window pins the
    periods of its window. One query for the periods of every chart (``drawn_periods``), one
    bulk UPDATE and one bulk history INSERT. Returns the number of charts pinned.
    """
    charts = list(Chart.objects.filter(figure__chapter__edition=edition, periods="").order_by("pk"))
    available = drawn_periods([chart.pk for chart in charts]) if charts else {}
    pinned = []
    for chart in charts:
        periods = chart.shown_periods(available.get(chart.pk, ()))
        if periods:
            chart.periods, chart.periods_pinned = ", ".join(periods), True
            pinned.append(chart)
    if pinned:  # one UPDATE and one INSERT of history rows, for every chart at once
        with freeze.publishing(edition):  # the edition may be frozen already: this is its publication's own step
            bulk_update_with_history(pinned, Chart, ["periods", "periods_pinned"], batch_size=500)
    return len(pinned)


def publish_observations(edition):
    """Make public the observations of every indicator that ``edition`` draws (figures and headline figures).

    Called when the edition is published and when a correction of it is closed, inside the same
    transaction, so a figure reaches the public site together with the report that shows it and
    not when an editor imports it. The value, flag and note are published as they stand; an edit
    made afterwards waits for the next publication. Set-based: one COUNT and one UPDATE, each
    with subqueries on the edition's series, touching only the rows that change.
    Returns the number of observations that became public.
    """
    in_figure, in_headline = _drawn_indicators(edition)
    # Uncorrelated subqueries: the database finds the edition's indicators once, then their rows by index.
    drawn = Observation.objects.filter(Q(indicator__in=in_figure) | Q(indicator__in=in_headline))
    became_public = drawn.filter(public=False).count()
    changed = Q(public=False) | ~Q(published_value=F("value")) | ~Q(published_flag=F("flag"))
    changed |= ~Q(published_note=F("note"))
    drawn.filter(changed).update(
        public=True, published_value=F("value"), published_flag=F("flag"), published_note=F("note")
    )
    return became_public


def _drawn_indicators(edition):
    """The ids of the indicators ``edition`` draws: (in its figures, in its headline figures), as subqueries."""
    in_figure = FigureSeries.objects.filter(chart__figure__chapter__edition=edition).values("indicator_id")
    in_headline = HeadlineSeries.objects.filter(chapter__edition=edition).values("indicator_id")
    return in_figure, in_headline


def raise_series_versions(edition):
    """Raise the ``series_version`` of every indicator ``edition`` draws (called with ``publish_observations``).

    Their published series may have changed, so a CSV stored of the series before is known to be
    stale until it is made again (``kib.publication.datafiles``). One UPDATE.
    """
    in_figure, in_headline = _drawn_indicators(edition)
    return Indicator.objects.filter(Q(pk__in=in_figure) | Q(pk__in=in_headline)).update(
        series_version=F("series_version") + 1
    )


def on_edition_published(sender, edition, **kwargs):
    pin_chart_periods(edition)
    publish_observations(edition)
    raise_series_versions(edition)
    take_snapshot(edition)  # what its online charts draw from now on, whatever a later edition publishes


def on_correction_closed(sender, edition, **kwargs):
    publish_observations(edition)
    raise_series_versions(edition)
    take_snapshot(edition)


def on_chapter_copied(sender, source, copy, **kwargs):
    """Next year's chapter gets last year's charts, headline series and open data gaps."""
    carry_series(source, copy)
    carry_data_gaps(source, copy)
