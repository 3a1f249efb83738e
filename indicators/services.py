"""Indicator work that spans an edition: carrying links and data gaps forward (``on_chapter_copied``), finding missing data."""

from django.db.models import F, Prefetch, Q

from indicators.charts import chart_data, figure_chart_data
from indicators.models import Chart, DataGap, FigureSeries, HeadlineSeries, Observation, period_sort_key
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
    headline series is left alone. A chart's periods pinned at publication are let go (next
    year's chart shows the newest periods too); periods an editor chose are kept. The headline
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
        periods = "" if chart.periods_pinned else chart.periods
        copy = Chart.objects.create(figure=figure, kind=chart.kind, periods=periods, value_label=chart.value_label)
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

    ``chapters`` (ids) narrows it to those chapters. A fixed number of queries, whatever the
    number of figures: the charts come with their series and observations prefetched.
    """
    figures = (
        Figure.objects.filter(chapter__edition=edition)
        .select_related("chapter__theme", "chapter__edition", "chart")
        .prefetch_related(
            Prefetch("chart__series", queryset=FigureSeries.objects.select_related("indicator")),
            "chart__series__indicator__observations",
        )
        .order_by("chapter__theme__number", "number")
    )
    if chapters is not None:
        figures = figures.filter(chapter__in=chapters)
    return [figure for figure in figures if figure_chart_data(figure) is None]


def pin_chart_periods(edition):
    """Fix the periods each chart of ``edition`` shows to those it shows now (called on publication).

    A published report must not change when next year's numbers are imported: afterwards
    its figures keep drawing the same periods (a corrected value within them does show).
    Charts that already name their periods are left alone. Returns the number of charts pinned.
    """
    pinned = 0
    charts = Chart.objects.filter(figure__chapter__edition=edition, periods="").select_related("figure")
    for chart in charts.prefetch_related("series__indicator__observations"):
        data = chart_data(chart)
        if data is None:
            continue
        periods = data.categories if data.by_period else [s.label for s in data.series]
        chart.periods = ", ".join(sorted(set(periods), key=period_sort_key))
        chart.periods_pinned = True
        with freeze.publishing(edition):  # the edition may be frozen already: this is its publication's own step
            chart.save(update_fields=["periods", "periods_pinned"])
        pinned += 1
    return pinned


def publish_observations(edition):
    """Make public the observations of every indicator that ``edition`` draws (figures and headline figures).

    Called when the edition is published and when a correction of it is closed, inside the same
    transaction, so a figure reaches the public site together with the report that shows it and
    not when an editor imports it. The value, flag and note are published as they stand; an edit
    made afterwards waits for the next publication. Returns the number of observations that
    became public.
    """
    drawn = Q(indicator__figure_series__chart__figure__chapter__edition=edition) | Q(
        indicator__headline_series__chapter__edition=edition
    )
    ids = list(Observation.objects.filter(drawn).values_list("pk", flat=True).distinct())
    became_public = Observation.objects.filter(pk__in=ids, public=False).count()
    Observation.objects.filter(pk__in=ids).update(
        public=True, published_value=F("value"), published_flag=F("flag"), published_note=F("note")
    )
    return became_public


def on_edition_published(sender, edition, **kwargs):
    pin_chart_periods(edition)
    publish_observations(edition)


def on_correction_closed(sender, edition, **kwargs):
    publish_observations(edition)


def on_chapter_copied(sender, source, copy, **kwargs):
    """Next year's chapter gets last year's charts, headline series and open data gaps."""
    carry_series(source, copy)
    carry_data_gaps(source, copy)
