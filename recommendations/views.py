"""The recommendation tracker and a recommendation's timeline across the published editions."""

from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators.models import DataGap
from kib.public_cache import page_response
from recommendations.filters import RecommendationFilter, tracking_editions
from recommendations.models import Recommendation
from themes.changes import plain, text_diff
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
        links = list(ChapterRecommendation.objects.filter(recommendation=recommendation, chapter__in=published_chapters))
        groups = list(
            DevelopmentGroup.objects.filter(recommendations=recommendation, chapter__in=published_chapters).prefetch_related(
                "recommendations", "items__figure"
            )
        )
        gaps = list(DataGap.objects.filter(recommendation=recommendation, chapter__in=published_chapters))
        # Each chapter once, with its edition and theme, rather than once per row that points to it.
        parts = [*links, *groups, *gaps]
        chapters = published_chapters.select_related("edition", "theme").in_bulk({part.chapter_id for part in parts})
        for part in parts:
            part.chapter = chapters[part.chapter_id]
        context = {
            "recommendation": recommendation,
            "timeline": timeline(links, groups, gaps),
            "section": "recommendations",
        }
        return render_to_string("public/recommendation.html", context)

    return page_response(request, ("recommendation", co, code), build)


def short(text, length=60):
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"


def timeline(links, groups, gaps):
    """Per published edition, oldest first: the chapter, its assessment, and what changed against the edition before.

    Each development text is compared with the text under the same kind, area and title in the
    previous edition: ``new`` (printed in full, folded), ``rewritten`` (a word diff, the full text
    folded), ``unchanged`` (only named: "ongewijzigd sinds <the edition that printed it>") or, for a
    text of the previous edition that is gone, ``removed``. The data gaps are listed where they changed.
    """
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
    ordered = sorted(entries.values(), key=lambda e: e["edition"].year)
    before, printed_in, gaps_before, unchanged_labels = {}, {}, None, {}
    for position, item in enumerate(ordered):
        item["period"] = item["edition"].reporting_period_label
        item["previous"] = ordered[position - 1]["edition"] if position else None
        item["groups"].sort(key=lambda g: (g.kind, g.position, g.pk))
        now, seen, item["new"], item["rewritten"], item["unchanged"] = {}, Counter(), [], [], []
        for group in item["groups"]:
            group.changed_items = []
            for development in group.items.all():
                key = (group.kind, development.territory, development.title)
                seen[key] += 1
                key = (*key, seen[key])  # the same title twice: the first, the second
                now[key] = development
                development.short_title = development.title or short(plain(development.body))
                old = before.get(key)
                if old is not None and (old.body == development.body or plain(old.body) == plain(development.body)):
                    development.unchanged_since = printed_in[key]
                    development.unchanged_label = unchanged_labels.setdefault(
                        printed_in[key].pk, _("ongewijzigd sinds %(edition)s") % {"edition": printed_in[key]}
                    )
                    item["unchanged"].append(development)
                    continue
                printed_in[key] = item["edition"]
                development.unchanged_since = None
                development.diff = text_diff(old.body, development.body) if old is not None else None
                item["rewritten" if old is not None else "new"].append(development)
                group.changed_items.append(development)
        item["removed"] = [development for key, development in before.items() if key not in now]
        gap_texts = sorted((gap.description, gap.territory) for gap in item["gaps"])
        item["gaps_changed"] = gap_texts != gaps_before
        gaps_before, before = gap_texts, now
        item["changed"] = bool(item["new"] or item["rewritten"] or item["removed"])
    return ordered
