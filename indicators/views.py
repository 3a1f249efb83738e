"""Public indicator pages: the list, one indicator (chart, table, flags, sources), its CSV.

An indicator is public when a published chapter draws it (``Indicator.objects.published()``), and
its observations when an edition that draws it was published (``Observation.objects.public()``).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from indicators.chart_data import TOTALS_NOTE, folded_breakdowns, indicator_data
from indicators.charts import render_svg
from indicators.models import DataGap, Indicator, Observation, period_sort_key
from indicators.stats import format_value
from kib.db.rows import kept_query
from kib.models import Edition, Source
from kib.public_cache import page_response
from kib.publication import datafiles
from kib.reversing import reverse_once
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


# Each query of the indicator page built and compiled once per connection (``kib.db.rows.kept_query``):
# building and compiling them cost more than running them.
@kept_query
def _published_indicator(code):
    return Indicator.objects.published().select_related("theme").filter(code=code)


@kept_query
def _sources(indicator_id):
    return Source.objects.filter(indicators=indicator_id)


@kept_query
def _public_periods(indicator_id):
    return (
        Observation.objects.public()
        .filter(indicator=indicator_id)
        .order_by()
        .values_list("period", flat=True)
        .distinct()
    )


@kept_query
def _public_cells(indicator_id, periods):
    cells = Observation.objects.public().filter(indicator=indicator_id, period__in=periods).order_by()
    return cells.values_list("territory", "sex", "age_group", "breakdown").distinct()


@kept_query
def _public_rows(indicator_id, periods, *folded):
    """The public rows of these periods (all of them: ``periods`` None), the folded fields' totals only
    (``folded``: a bool per field of ``FOLDABLE``)."""
    rows = Observation.objects.public().filter(indicator=indicator_id)
    if periods is not None:
        rows = rows.filter(period__in=periods)
    totals = {name: "" for name, fold in zip(FOLDABLE, folded, strict=True) if fold}
    return rows.filter(**totals).order_by("pk")


@kept_query
def _published_gaps(indicator_id):
    published = Chapter.objects.published()
    return DataGap.objects.filter(indicator=indicator_id, chapter__in=published).select_related("chapter__edition")


FOLDABLE = ("territory", "sex", "age_group", "breakdown")


@require_safe
def indicator_detail(request, code):
    full = request.GET.get("tabel") == "alles"

    def build():
        found = _published_indicator(code)
        if not found:
            raise Http404
        (indicator,) = found
        periods = sorted(_public_periods(indicator.pk), key=period_sort_key)
        chart_periods = periods[-CHART_PERIODS:]
        in_table = set(periods if full else periods[-SUMMARY_PERIODS:])
        # Many breakdowns: the chart draws the totals (``folded_breakdowns``), and so does the summary
        # table, so neither grows with the breakdowns; the full table has every one. One query for
        # the distinct cells of the chart's periods.
        folded = folded_breakdowns(set(_public_cells(indicator.pk, chart_periods))) if chart_periods else ()
        folds = [name in folded and not full for name in FOLDABLE]
        # Shown as published: an edit made since waits for the next publication (chart and table alike).
        fetched = [o.as_published() for o in _public_rows(indicator.pk, None if full else chart_periods, *folds)]
        observations = sorted(
            (o for o in fetched if o.period in in_table), key=lambda o: (period_sort_key(o.period), o.territory)
        )
        total = gettext("totaal")
        for o in observations:  # what each cell of the table prints, made here rather than in template tags per row
            o.territory_label = o.get_territory_display()
            o.breakdown_label = ", ".join(part for part in (o.sex, o.age_group, o.breakdown) if part) or total
            o.display = format_value(o.value, indicator.unit, o.flag)
            o.flag_label = o.get_flag_display() if o.flag else ""
        in_chart = set(chart_periods)
        drawn = [o for o in fetched if o.period in in_chart]
        if folded:
            drawn = [o for o in drawn if all(not getattr(o, name) for name in folded)]
        data = indicator_data(indicator, drawn, note=TOTALS_NOTE if folded else "")
        context = {
            "indicator": indicator,
            "observations": observations,
            "chart": render_svg(data, f"kib-indicator-{indicator.pk}") if data is not None else None,
            "flags": sorted({o.flag_label for o in observations if o.flag}),
            "sources": _sources(indicator.pk),
            "in_report": in_report(indicator),
            "data_gaps": _published_gaps(indicator.pk),
            "section": "indicators",
            "full_table": full,
            "period_count": len(periods),
            "summary_periods": periods[-SUMMARY_PERIODS:],
            "chart_periods": chart_periods,
            "breakdowns_folded": bool(folded) and not full,
        }
        return render_to_string("public/indicator.html", context)

    return page_response(request, ("indicator", code, "alles" if full else "kort"), build)


CHAPTER_FIELDS = ("edition__year", "theme__slug", "theme__number", "theme__title", "title")


@kept_query
def _headline_chapters(indicator_id):
    return (
        Chapter.objects.published()
        .filter(headline_series__indicator=indicator_id)
        .order_by("-edition__year", "theme__number")
        .values("pk", *CHAPTER_FIELDS)
        .distinct()
    )


@kept_query
def _charting_figures(indicator_id):
    return (
        Figure.objects.filter(chapter__in=Chapter.objects.published(), chart__series__indicator=indicator_id)
        .order_by("-chapter__edition__year", "chapter__theme__number", "number")
        .values("number", "title", "chapter_id", *(f"chapter__{name}" for name in CHAPTER_FIELDS))
        .distinct()
    )


def in_report(indicator):
    """Where the published report shows ``indicator``: one line per figure (or key figure), the editions as links.

    A figure carried into each new edition is one line that gains a year, not a line per
    edition; two queries of plain rows (``values()``), newest edition first.
    """
    lines = {}

    def add(key, label, title, year, slug, anchor=""):
        line = lines.setdefault(key, {"label": label, "title": title, "links": []})
        line["links"].append((year, reverse_once("public:chapter", year, slug) + anchor))

    for row in _headline_chapters(indicator.pk):
        title = row["title"] or row["theme__title"]
        label = f"{row['theme__number']}. {title}: " + gettext("kerncijfer")
        add(("kerncijfer", label), label, "", row["edition__year"], row["theme__slug"])
    for row in _charting_figures(indicator.pk):
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
