"""Public indicator pages: the list, one indicator (chart, table, flags, sources), its CSV.

An indicator is public when a published chapter draws it (``Indicator.objects.published()``), and
its observations when an edition that draws it was published (``Observation.objects.public()``).
"""

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from indicators.chart_data import TOTALS_NOTE, folded_breakdowns, indicator_data
from indicators.charts import render_svg
from indicators.models import DataGap, Indicator, Observation, period_sort_key
from indicators.stats import format_value
from kib.models import Edition
from kib.public_cache import page_response
from kib.publication import datafiles
from themes.models import Chapter, Figure


@require_safe
def indicator_list(request):
    def build():
        indicators = Indicator.objects.published().select_related("theme").order_by("theme__number", "name")
        editions = Edition.objects.published().order_by("-year")
        context = {"indicators": indicators, "editions": editions, "section": "indicators"}
        return render_to_string("public/indicators.html", context)

    return page_response(request, ("indicators",), build)


# The indicator page stays the same size however long the series runs: its chart draws the
# newest CHART_PERIODS periods and its table the newest SUMMARY_PERIODS; "?tabel=alles" shows
# every observation (and the CSV has them all).
CHART_PERIODS = 10
SUMMARY_PERIODS = 3


@require_safe
def indicator_detail(request, code):
    full = request.GET.get("tabel") == "alles"

    def build():
        indicator = get_object_or_404(
            Indicator.objects.published().select_related("theme").prefetch_related("sources"), code=code
        )
        public = Observation.objects.public().filter(indicator=indicator).order_by()
        periods = sorted(set(public.values_list("period", flat=True).distinct()), key=period_sort_key)
        chart_periods = periods[-CHART_PERIODS:]
        in_table = set(periods if full else periods[-SUMMARY_PERIODS:])
        rows = public if full else public.filter(period__in=chart_periods)
        # Many breakdowns: the chart draws the totals (``folded_breakdowns``), and so does the summary
        # table, so neither grows with the breakdowns; the full table has every one. One query for
        # the distinct cells of the chart's periods.
        cells = public.filter(period__in=chart_periods).values_list("territory", "sex", "age_group", "breakdown")
        folded = folded_breakdowns(set(cells.distinct()))
        if folded and not full:
            rows = rows.filter(**dict.fromkeys(folded, ""))
        # Shown as published: an edit made since waits for the next publication (chart and table alike).
        fetched = [o.as_published() for o in rows.select_related(None).order_by("pk")]
        observations = sorted(
            (o for o in fetched if o.period in in_table), key=lambda o: (period_sort_key(o.period), o.territory)
        )
        for o in observations:
            o.breakdown_parts = [part for part in (o.sex, o.age_group, o.breakdown) if part]
            o.display = format_value(o.value, indicator.unit, o.flag)
        in_chart = set(chart_periods)
        drawn = [o for o in fetched if o.period in in_chart]
        if folded:
            drawn = [o for o in drawn if all(not getattr(o, name) for name in folded)]
        data = indicator_data(indicator, drawn, note=TOTALS_NOTE if folded else "")
        published = Chapter.objects.published()
        gaps = DataGap.objects.filter(indicator=indicator, chapter__in=published).select_related("chapter__edition")
        context = {
            "indicator": indicator,
            "observations": observations,
            "chart": render_svg(data, f"kib-indicator-{indicator.pk}") if data is not None else None,
            "flags": sorted({o.get_flag_display() for o in observations if o.flag}),
            "sources": indicator.sources.all(),
            "in_report": in_report(indicator, published),
            "data_gaps": gaps,
            "section": "indicators",
            "full_table": full,
            "period_count": len(periods),
            "summary_periods": periods[-SUMMARY_PERIODS:],
            "chart_periods": chart_periods,
            "breakdowns_folded": bool(folded) and not full,
        }
        return render_to_string("public/indicator.html", context)

    return page_response(request, ("indicator", code, "alles" if full else "kort"), build)


def in_report(indicator, published):
    """Where the published report shows ``indicator``: one line per figure (or key figure), the editions as links.

    A figure carried into each new edition is one line that gains a year, not a line per
    edition; two queries of plain rows (``values()``), newest edition first.
    """
    lines = {}

    def add(key, label, title, year, slug, anchor=""):
        line = lines.setdefault(key, {"label": label, "title": title, "links": []})
        line["links"].append((year, reverse("public:chapter", args=[year, slug]) + anchor))

    chapter = ("edition__year", "theme__slug", "theme__number", "theme__title", "title")
    for row in (
        published.filter(headline_series__indicator=indicator)
        .order_by("-edition__year", "theme__number")
        .values("pk", *chapter)
        .distinct()
    ):
        title = row["title"] or row["theme__title"]
        label = f"{row['theme__number']}. {title}: " + gettext("kerncijfer")
        add(("kerncijfer", label), label, "", row["edition__year"], row["theme__slug"])
    for row in (
        Figure.objects.filter(chapter__in=published, chart__series__indicator=indicator)
        .order_by("-chapter__edition__year", "chapter__theme__number", "number")
        .values("number", "title", "chapter_id", *(f"chapter__{name}" for name in chapter))
        .distinct()
    ):
        title = row["chapter__title"] or row["chapter__theme__title"]
        label = f"{row['chapter__theme__number']}. {title}: " + gettext("figuur") + f" {row['number']}"
        anchor = f"#figuur-{row['chapter_id']}-{row['number']}"
        add(
            ("figuur", label, row["title"]),
            label,
            row["title"],
            row["chapter__edition__year"],
            row["chapter__theme__slug"],
            anchor,
        )
    return list(lines.values())


@require_safe
def indicator_csv(request, code):
    """One indicator's public observations, in the columns of the import template (so it can be corrected and
    re-imported): the file stored at its last publication, or streamed when that is stale (``datafiles``)."""
    indicator = get_object_or_404(Indicator.objects.published().with_series(), code=code)
    return datafiles.indicator_response(request, indicator)


def _edition_export(request, year, identifier):
    """A published edition's data file, made once at its publication and served from storage (``datafiles``)."""
    edition = get_object_or_404(Edition.objects.published(), year=year)
    return datafiles.file_response(request, edition, identifier)


@require_safe
def edition_open_data(request, year):
    """The edition's open-data zip: observations, indicators, sources and a README with the licence."""
    return _edition_export(request, year, "open-data")


@require_safe
def edition_observations_csv(request, year):
    return _edition_export(request, year, "waarnemingen")
