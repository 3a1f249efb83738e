"""The recommendation tracker and a recommendation's timeline across the published editions."""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from indicators.models import DataGap
from kib.public_cache import page_response
from recommendations.filters import RecommendationFilter, tracking_editions
from recommendations.models import Recommendation
from themes.models import Chapter, ChapterRecommendation, DevelopmentGroup

PER_PAGE = 50
PAGE_PARAM = "pagina"


def _key_params(request):
    """The query parameters that shape the page; unknown ones do not make a new cache entry."""
    names = [*RecommendationFilter.base_filters, PAGE_PARAM]
    return tuple((name, tuple(request.GET.getlist(name))) for name in names if name in request.GET)


@require_safe
def tracker(request):
    def build():
        published_chapters = Chapter.objects.published()
        recommendations = Recommendation.objects.published().select_related("theme", "concluding_observations")
        filterset = RecommendationFilter(request.GET, queryset=recommendations)
        links = (
            ChapterRecommendation.objects.filter(chapter__in=published_chapters)
            .select_related("chapter__edition")
            .order_by("chapter__edition__year")
        )
        gaps = DataGap.objects.filter(chapter__in=published_chapters, recommendation=OuterRef("pk"))
        results = filterset.qs.annotate(has_data_gap=Exists(gaps)).prefetch_related(
            Prefetch("chapter_links", queryset=links, to_attr="published_links")
        )
        page = Paginator(results, PER_PAGE).get_page(request.GET.get(PAGE_PARAM))
        editions = list(tracking_editions().order_by("year"))
        for recommendation in page.object_list:
            add_movement_row(recommendation, editions)
        query = request.GET.copy()
        query.pop(PAGE_PARAM, None)
        context = {
            "filter": filterset,
            "page": page,
            "filtered": any(value for name, value in filterset.form.cleaned_data.items()),
            "query": query.urlencode(),
            "section": "recommendations",
        }
        return render_to_string("public/tracker.html", context)

    return page_response(request, ("tracker", _key_params(request)), build)


def add_movement_row(recommendation, editions):
    """Per edition that follows its observations, oldest first: (edition, link or None); and its latest assessment.

    Reads ``recommendation.published_links`` (its links to published chapters, oldest edition first).
    """
    by_edition = {link.chapter.edition_id: link for link in recommendation.published_links}
    recommendation.movement_row = [
        (edition, by_edition.get(edition.pk))
        for edition in editions
        if edition.concluding_observations_id == recommendation.concluding_observations_id
    ]
    if not any(link for edition, link in recommendation.movement_row):
        recommendation.movement_row = []
    assessed = [link for link in recommendation.published_links if link.movement]
    recommendation.latest_assessment = assessed[-1] if assessed else None


@require_safe
def recommendation_detail(request, co, code):
    def build():
        recommendation = get_object_or_404(
            Recommendation.objects.published().select_related("theme", "concluding_observations"),
            concluding_observations_id=co,
            code=code,
        )
        published_chapters = Chapter.objects.published()
        links = ChapterRecommendation.objects.filter(
            recommendation=recommendation, chapter__in=published_chapters
        ).select_related("chapter__edition", "chapter__theme")
        groups = (
            DevelopmentGroup.objects.filter(recommendations=recommendation, chapter__in=published_chapters)
            .select_related("chapter__edition", "chapter__theme")
            .prefetch_related("recommendations", "items__figure")
        )
        gaps = DataGap.objects.filter(recommendation=recommendation, chapter__in=published_chapters).select_related(
            "chapter__edition", "chapter__theme"
        )
        context = {
            "recommendation": recommendation,
            "timeline": timeline(links, groups, gaps),
            "section": "recommendations",
        }
        return render_to_string("public/recommendation.html", context)

    return page_response(request, ("recommendation", co, code), build)


def timeline(links, groups, gaps):
    """Per published edition, oldest first: the chapter, its assessment, its development groups and data gaps."""
    entries = {}

    def entry(chapter):
        return entries.setdefault(
            chapter.pk, {"chapter": chapter, "edition": chapter.edition, "link": None, "groups": [], "gaps": []}
        )

    for link in links:
        entry(link.chapter)["link"] = link
    for group in groups:
        entry(group.chapter)["groups"].append(group)
    for gap in gaps:
        entry(gap.chapter)["gaps"].append(gap)
    for item in entries.values():
        item["groups"].sort(key=lambda g: (g.kind, g.position, g.pk))
    ordered = sorted(entries.values(), key=lambda e: e["edition"].year)
    # What changed per edition: a text printed in an earlier edition is not repeated, only named.
    first_printed = {}
    for item in ordered:
        for group in item["groups"]:
            group.timeline_items = []
            for development in group.items.all():
                key = (group.kind, development.territory, development.title, development.body)
                development.unchanged_since = first_printed.get(key)
                first_printed.setdefault(key, item["edition"])
                group.timeline_items.append(development)
        item["changed"] = any(
            development.unchanged_since is None for group in item["groups"] for development in group.timeline_items
        )
    return ordered
