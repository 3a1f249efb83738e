"""Indicator work that spans an edition: carrying links and data gaps forward, finding missing data."""

from django.db import transaction

from indicators.models import Chart, DataGap, FigureSeries, HeadlineSeries, Observation


def _chapters_by_theme(edition):
    return {chapter.theme_id: chapter for chapter in edition.chapters.all()}


@transaction.atomic
def carry_forward_data_gaps(old_edition, new_edition):
    """Copy the open and partly solved data gaps of ``old_edition`` into the chapters of ``new_edition``.

    A gap keeps the edition in which it was first noted; a gap already carried forward is
    not copied twice, so the function is safe to call again. Returns the new gaps.
    """
    new_chapters = _chapters_by_theme(new_edition)
    already = set(
        DataGap.objects.filter(chapter__edition=new_edition, carried_from__isnull=False).values_list(
            "carried_from_id", flat=True
        )
    )
    created = []
    gaps = DataGap.objects.filter(
        chapter__edition=old_edition, status__in=[DataGap.Status.OPEN, DataGap.Status.PARTLY]
    ).select_related("chapter")
    for gap in gaps:
        chapter = new_chapters.get(gap.chapter.theme_id)
        if chapter is None or gap.pk in already:
            continue
        created.append(
            DataGap.objects.create(
                chapter=chapter,
                description=gap.description,
                holder=gap.holder,
                recommendation=gap.recommendation,
                indicator=gap.indicator,
                territory=gap.territory,
                first_noted_in=gap.first_noted_in or old_edition,
                status=gap.status,
                position=gap.position,
                carried_from=gap,
            )
        )
    return created


@transaction.atomic
def carry_forward_series(old_edition, new_edition):
    """Link the figures and headline figures of ``new_edition`` to the same indicator series as last year.

    Figures are matched by theme and number. A figure or chapter that already has its own
    chart or headline series is left alone. The headline keeps its first period and
    compares with the newest period ("tot periode" becomes empty). Returns the number of links made.
    """
    made = 0
    new_chapters = _chapters_by_theme(new_edition)
    new_figures = {
        (figure.chapter.theme_id, figure.number): figure
        for chapter in new_chapters.values()
        for figure in chapter.figures.select_related("chapter")
    }
    charts = Chart.objects.filter(figure__chapter__edition=old_edition).select_related("figure__chapter")
    for chart in charts.prefetch_related("series"):
        figure = new_figures.get((chart.figure.chapter.theme_id, chart.figure.number))
        if figure is None or Chart.objects.filter(figure=figure).exists():
            continue
        periods = "" if chart.periods_pinned else chart.periods
        copy = Chart.objects.create(figure=figure, kind=chart.kind, periods=periods, value_label=chart.value_label)
        for series in chart.series.all():
            FigureSeries.objects.create(
                chart=copy,
                indicator_id=series.indicator_id,
                label=series.label,
                territory=series.territory,
                sex=series.sex,
                age_group=series.age_group,
                breakdown=series.breakdown,
                position=series.position,
            )
        made += 1
    for headline in HeadlineSeries.objects.filter(chapter__edition=old_edition).select_related("chapter"):
        chapter = new_chapters.get(headline.chapter.theme_id)
        if chapter is None or HeadlineSeries.objects.filter(chapter=chapter).exists():
            continue
        HeadlineSeries.objects.create(
            chapter=chapter,
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


def carry_forward(old_edition, new_edition):
    """Everything of this app the next-edition rollover brings along (call after chapters and figures are copied)."""
    return {
        "data_gaps": len(carry_forward_data_gaps(old_edition, new_edition)),
        "series": carry_forward_series(old_edition, new_edition),
    }


def figures_without_data(edition, chapters=None):
    """The figures of ``edition`` that cannot be drawn yet ("data to be entered"), in print order.

    ``chapters`` (ids) narrows it to those chapters. A fixed number of queries, whatever the
    number of figures: the charts come with their series and observations prefetched.
    """
    from django.db.models import Prefetch

    from indicators.charts import chart_data
    from themes.models import Figure

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
    missing = []
    for figure in figures:
        chart = getattr(figure, "chart", None)
        if chart is None or chart_data(chart) is None:
            missing.append(figure)
    return missing


def pin_chart_periods(edition):
    """Fix the periods each chart of ``edition`` shows to those it shows now (called on publication).

    A published report must not change when next year's numbers are imported: afterwards
    its figures keep drawing the same periods (a corrected value within them does show).
    Charts that already name their periods are left alone. Returns the number of charts pinned.
    """
    from indicators.charts import chart_data
    from indicators.models import period_sort_key

    pinned = 0
    charts = Chart.objects.filter(figure__chapter__edition=edition, periods="").select_related("figure")
    for chart in charts.prefetch_related("series__indicator__observations"):
        data = chart_data(chart)
        if data is None:
            continue
        periods = data.categories if data.by_period else [s.label for s in data.series]
        chart.periods = ", ".join(sorted(set(periods), key=period_sort_key))
        chart.periods_pinned = True
        chart.save(update_fields=["periods", "periods_pinned"])
        pinned += 1
    return pinned


def unpin(charts):
    """A chart copied into the next edition shows every period again, unless an editor chose them."""
    return charts.filter(periods_pinned=True).update(periods="", periods_pinned=False)


def publish_observations(edition):
    """Make public the observations of every indicator that ``edition`` draws (figures and headline figures).

    Called when the edition is published and when a correction of it is closed, inside the same
    transaction, so a figure reaches the public site together with the report that shows it and
    not when an editor imports it. The value, flag and note are published as they stand; an edit
    made afterwards waits for the next publication. Returns the number of observations that
    became public.
    """
    from django.db.models import F, Q

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
    unpin(Chart.objects.filter(figure__chapter=copy))
