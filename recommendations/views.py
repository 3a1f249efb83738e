"""The recommendation tracker and a recommendation's timeline across the published editions."""

import functools
from collections import Counter, defaultdict

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators.models import DataGap
from kib.db.rows import kept_query
from kib.public_cache import page_response
from recommendations.filters import RecommendationFilter, tracking_editions
from recommendations.models import Recommendation
from themes.changes import plain, text_diff
from themes.models import Chapter, ChapterRecommendation, DevelopmentGroup, DevelopmentItem

PER_PAGE = 50
TIMELINE_CHAPTER_FIELDS = (
    "title",
    "edition",
    "theme",
    "edition__year",
    "edition__title",
    "edition__reporting_period_start",
    "edition__reporting_period_end",
    "theme__slug",
    "theme__number",
    "theme__title",
)
PAGE_PARAM = "pagina"
TIMELINE_EDITIONS = 5  # the newest editions a timeline shows in full; ``?alle=1`` shows every edition
TRACKER_EDITIONS = 5  # the newest editions in each tracker result's row of assessments
ALL_PARAM = "alle"


def _key_params(request):
    """The query parameters that shape the page; unknown ones do not make a new cache entry."""
    names = [*RecommendationFilter.base_filters, PAGE_PARAM]
    return tuple((name, tuple(request.GET.getlist(name))) for name in names if name in request.GET)


# The tracker's fixed queries built and compiled once per connection (``kib.db.rows.kept_query``); the filtered
# results are built per request, as the filters ask.
@kept_query
def _tracker_editions():
    return tracking_editions()[:TRACKER_EDITIONS]


@kept_query
def _tracker_links(edition_ids, recommendation_ids):
    """The links of these recommendations to the published chapters of these editions, as plain values."""
    return ChapterRecommendation.objects.filter(
        chapter__in=Chapter.objects.published(),
        chapter__edition__in=edition_ids,
        recommendation__in=recommendation_ids,
    ).values_list("recommendation_id", "chapter__edition_id", "movement")


@require_safe
def tracker(request):
    def build():
        published_chapters = Chapter.objects.published()
        recommendations = Recommendation.objects.published().select_related("theme", "concluding_observations")
        filterset = RecommendationFilter(request.GET, queryset=recommendations)
        # The row of assessments shows the newest TRACKER_EDITIONS editions (the timeline has them all): only
        # their links are read, however many editions the collective has published.
        editions = _tracker_editions()[::-1]
        assessed = ChapterRecommendation.objects.filter(chapter__in=published_chapters, recommendation=OuterRef("pk"))
        latest = assessed.exclude(movement="").order_by("-chapter__edition__year")
        gaps = DataGap.objects.filter(chapter__in=published_chapters, recommendation=OuterRef("pk"))
        results = filterset.qs.annotate(
            has_data_gap=Exists(gaps),
            latest_movement=Subquery(latest.values("movement")[:1]),
            latest_movement_year=Subquery(latest.values("chapter__edition__year")[:1]),
        )
        page = Paginator(results, PER_PAGE).get_page(request.GET.get(PAGE_PARAM))
        # The shown results' links to the shown editions' published chapters, as plain values (a row of up
        # to TRACKER_EDITIONS cells per result: model instances of links and chapters were a sixth of the page).
        movements = defaultdict(dict)
        links = _tracker_links([edition.pk for edition in editions], [result.pk for result in page.object_list])
        for recommendation_id, edition_id, movement in links:
            movements[recommendation_id][edition_id] = (
                movement  # in the links' order: the last one of an edition counts
            )
        for recommendation in page.object_list:
            add_movement_row(recommendation, editions, movements[recommendation.pk])
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


@functools.lru_cache(maxsize=64)
def movement_marker(language, movement, unassessed=""):
    """The marker ``public/includes/movement.html`` draws for ``movement`` ("" = not assessed, shown as
    ``unassessed``), rendered once per process and language (``language``: the active one): the tracker
    shows one per edition per result, and an include per cell cost a fifth of the page."""
    context = {"link": ChapterRecommendation(movement=movement), "unassessed": unassessed}
    return render_to_string("public/includes/movement.html", context)


def add_movement_row(recommendation, editions, movements):
    """Per shown edition that follows its observations, oldest first: (edition, the cell's HTML); and the marker
    of its latest assessment (``latest_marker``, "" when none).

    ``movements``: {edition id: the movement recorded ("" when not assessed)} of the recommendation's links
    to the shown editions' published chapters. Reads the annotations ``latest_movement`` and
    ``latest_movement_year`` (its newest assessment in any published edition, which may be older than the
    shown ones).
    """
    language = get_language()
    row = [
        edition
        for edition in editions
        if edition.concluding_observations_id == recommendation.concluding_observations_id
    ]
    recommendation.movement_row = []
    if any(edition.pk in movements for edition in row):
        discussed = _("besproken, niet beoordeeld")
        not_discussed = format_html('<span class="meta">{}</span>', _("niet besproken"))
        recommendation.movement_row = [
            (
                edition,
                movement_marker(language, movements[edition.pk], discussed)
                if edition.pk in movements
                else not_discussed,
            )
            for edition in row
        ]
    movement = getattr(recommendation, "latest_movement", None)
    recommendation.latest_marker = movement_marker(language, movement) if movement else ""


# Each query of a timeline built and compiled once per connection (``kib.db.rows.kept_query``): building and
# compiling them cost more than running them.
@kept_query
def _published_recommendation(co, code):
    recommendations = Recommendation.objects.published().select_related("theme", "concluding_observations")
    return recommendations.filter(concluding_observations_id=co, code=code)


@kept_query
def _published_links(recommendation_id):
    return ChapterRecommendation.objects.filter(
        recommendation=recommendation_id, chapter__in=Chapter.objects.published()
    )


@kept_query
def _published_groups(recommendation_id):
    return DevelopmentGroup.objects.filter(recommendations=recommendation_id, chapter__in=Chapter.objects.published())


@kept_query
def _published_gaps(recommendation_id):
    return DataGap.objects.filter(recommendation=recommendation_id, chapter__in=Chapter.objects.published())


@kept_query
def _timeline_chapters(ids):
    """Only what a timeline entry prints of a chapter and its edition and theme, not their long texts."""
    chapters = Chapter.objects.published().select_related("edition", "theme").only(*TIMELINE_CHAPTER_FIELDS)
    return chapters.filter(pk__in=ids)


@kept_query
def _group_texts(group_ids):
    items = DevelopmentItem.objects.filter(group__in=group_ids).select_related("figure")
    return items.order_by("group", "position", "pk")


@require_safe
def recommendation_detail(request, co, code):
    everything = request.GET.get(ALL_PARAM) == "1"

    def build():
        found = _published_recommendation(co, code)
        if not found:
            raise Http404
        (recommendation,) = found
        links = _published_links(recommendation.pk)
        groups = _published_groups(recommendation.pk)
        load_group_texts(groups)
        gaps = _published_gaps(recommendation.pk)
        # Each chapter once, with its edition and theme, rather than once per row that points to it.
        parts = [*links, *groups, *gaps]
        chapters = {chapter.pk: chapter for chapter in _timeline_chapters(sorted({part.chapter_id for part in parts}))}
        for part in parts:
            part.chapter = chapters[part.chapter_id]
        entries = timeline(links, groups, gaps, shown=None if everything else TIMELINE_EDITIONS)
        earlier = [] if everything else entries[:-TIMELINE_EDITIONS]
        context = {
            "recommendation": recommendation,
            "timeline": entries[len(earlier) :],
            "earlier": earlier,
            "everything": everything and len(entries) > TIMELINE_EDITIONS,
            "shown": TIMELINE_EDITIONS,
            "section": "recommendations",
        }
        return render_to_string("public/recommendation.html", context)

    return page_response(request, ("recommendation", co, code, everything), build)


def load_group_texts(groups):
    """Each group's texts (``group.texts``, with their figure) and the codes it prints (``group.printed``).

    Two plain queries for all the groups of a timeline, instead of ``prefetch_related`` of the items,
    their figures and the groups' recommendations: the prefetch machinery cost more per edition than
    the texts themselves.
    """
    by_pk = {group.pk: group for group in groups}
    for group in groups:
        group.texts = []
    for item in _group_texts(list(by_pk)) if by_pk else ():
        item.group = by_pk[item.group_id]
        item.group.texts.append(item)
    DevelopmentGroup.load_linked_codes(groups)
    for group in groups:
        group.printed = group.codes()


def short(text, length=60):
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"


def timeline(links, groups, gaps, shown=None):
    """Per published edition, oldest first: the chapter, its assessment, and what changed against the edition before.

    ``shown``: how many of the newest editions will be printed; the word diffs of the older ones are not
    made (they are compared all the same, so "ongewijzigd sinds" names the edition that printed a text).

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
    first_shown = 0 if shown is None else max(len(ordered) - shown, 0)
    before, printed_in, gaps_before, unchanged_labels = {}, {}, None, {}
    for position, item in enumerate(ordered):
        printed = position >= first_shown
        item["url"] = item["chapter"].get_absolute_url()  # three links per entry, one reverse()
        item["period"] = item["edition"].reporting_period_label if printed else ""
        item["previous"] = ordered[position - 1]["edition"] if position else None
        item["groups"].sort(key=lambda g: (g.kind, g.position, g.pk))
        now, seen, item["new"], item["rewritten"], item["unchanged"] = {}, Counter(), [], [], []
        for group in item["groups"]:
            group.changed_items = []
            for development in group.texts:
                key = (group.kind, development.territory, development.title)
                seen[key] += 1
                key = (*key, seen[key])  # the same title twice: the first, the second
                now[key] = development
                old = before.get(key)
                if old is not None and (old.body == development.body or plain(old.body) == plain(development.body)):
                    since = development.unchanged_since = printed_in[key]
                    if since.pk not in unchanged_labels:  # one translated label per edition, not one per text
                        unchanged_labels[since.pk] = _("ongewijzigd sinds %(edition)s") % {"edition": since}
                    development.unchanged_label = unchanged_labels[since.pk]
                    item["unchanged"].append(development)
                    continue
                printed_in[key] = item["edition"]
                development.unchanged_since = None
                if old is None:
                    development.diff = None
                else:  # rewritten; the word diff only where it is printed
                    development.diff = text_diff(old.body, development.body) if printed else ""
                item["rewritten" if old is not None else "new"].append(development)
                group.changed_items.append(development)
        item["changed_groups"] = [group for group in item["groups"] if group.changed_items]
        item["removed"] = [development for key, development in before.items() if key not in now]
        gap_texts = sorted((gap.description, gap.territory) for gap in item["gaps"])
        item["gaps_changed"] = gap_texts != gaps_before
        gaps_before, before = gap_texts, now
        item["changed"] = bool(item["new"] or item["rewritten"] or item["removed"])
        if printed:  # the short titles of what the entry lists by name, only where it is printed
            for development in (*item["unchanged"], *item["removed"]):
                development.short_title = development.title or short(plain(development.body))
    return ordered
