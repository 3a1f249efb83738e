"""Public indicator pages: the list, one indicator (chart, table, flags, sources), its CSV.

An indicator is public when a published chapter draws it (``Indicator.objects.published()``), and
its observations when an edition that draws it was published (``Observation.objects.public()``).
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from indicators.charts import indicator_svg
from indicators.models import DataGap, Indicator, Observation, period_sort_key
from indicators.stats import format_value
from kib.models import Edition
from kib.public_cache import page_response
from kib.publication.registry import EXPORTERS
from themes.models import Chapter, Figure


@require_safe
def indicator_list(request):
    def build():
        indicators = Indicator.objects.published().select_related("theme").order_by("theme__number", "name")
        editions = Edition.objects.published().order_by("-year")
        context = {"indicators": indicators, "editions": editions, "section": "indicators"}
        return render_to_string("public/indicators.html", context)

    return page_response(request, ("indicators",), build)


@require_safe
def indicator_detail(request, code):
    def build():
        # indicator_svg reads indicator.observations.all(): prefetched here, once for the chart and the table.
        indicator = get_object_or_404(
            Indicator.objects.published()
            .select_related("theme")
            .prefetch_related(Prefetch("observations", queryset=Observation.objects.public()), "sources"),
            code=code,
        )
        # Shown as published: an edit made since waits for the next publication (chart and table alike).
        observations = sorted(
            (o.as_published() for o in indicator.observations.all()),
            key=lambda o: (period_sort_key(o.period), o.territory),
        )
        for o in observations:
            o.breakdown_parts = [part for part in (o.sex, o.age_group, o.breakdown) if part]
            o.display = format_value(o.value, indicator.unit, o.flag)
        published = Chapter.objects.published()
        figures = (
            Figure.objects.filter(chapter__in=published, chart__series__indicator=indicator)
            .select_related("chapter__edition", "chapter__theme")
            .order_by("-chapter__edition__year", "number")
            .distinct()
        )
        headlines = (
            published.filter(headline_series__indicator=indicator)
            .select_related("edition", "theme")
            .order_by("-edition__year")
        )
        gaps = DataGap.objects.filter(indicator=indicator, chapter__in=published).select_related("chapter__edition")
        context = {
            "indicator": indicator,
            "observations": observations,
            "chart": indicator_svg(indicator),
            "flags": sorted({o.get_flag_display() for o in observations if o.flag}),
            "sources": indicator.sources.all(),
            "figures": figures,
            "headline_chapters": headlines,
            "data_gaps": gaps,
            "section": "indicators",
        }
        return render_to_string("public/indicator.html", context)

    return page_response(request, ("indicator", code), build)


@require_safe
def indicator_csv(request, code):
    """One indicator's observations, in the columns of the import template (so it can be corrected and re-imported)."""
    indicator = get_object_or_404(Indicator.objects.published(), code=code)
    return EXPORTERS["indicator"](indicator).response()


def _edition_export(year, identifier):
    edition = get_object_or_404(Edition.objects.published(), year=year)
    return EXPORTERS[identifier](edition, indicators=Indicator.objects.published()).response()


@require_safe
def edition_open_data(request, year):
    """The edition's open-data zip: observations, indicators, sources and a README with the licence."""
    return _edition_export(year, "open-data")


@require_safe
def edition_observations_csv(request, year):
    return _edition_export(year, "waarnemingen")
