"""Search across every published edition: the chapters' text, grouped by edition and chapter.

Reads only ``Chapter.objects.published()``, one query per kind of text (``SOURCES``), so a page
of results costs a fixed number of queries whatever it finds. On PostgreSQL it is full-text
search with the Dutch configuration ("wachtlijsten" finds "wachtlijst"), over the expression
that migration 0005 indexes with GIN (``vector_sql``); on SQLite every word must occur (icontains).
The passage shown is plain text cut from the part, escaped, with the matching words in ``<mark>``.
"""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import F, Func, IntegerField, Q, Value
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from themes import models as themes

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MAX_HITS_PER_SOURCE = 200
PASSAGE_CHARS = 240


@dataclass(frozen=True)
class Source:
    """One kind of chapter text: its model, the path to its chapter, its title and body fields."""

    model: type
    chapter_path: str
    title: str
    body: str
    label: str

    @property
    def table(self):
        return self.model._meta.db_table


SOURCES = [
    Source(themes.Chapter, "", "intro_question", "summary", "Zo staat het ervoor"),
    Source(themes.Definition, "chapter", "question", "body", "Definitie"),
    Source(themes.KeyFigureParagraph, "chapter", "title", "body", "Kerncijfers"),
    Source(themes.Figure, "chapter", "title", "description", "Figuur"),
    Source(themes.DevelopmentItem, "group__chapter", "title", "body", "Ontwikkeling"),
    Source(themes.LatestDevelopment, "chapter", "title", "body", "Laatste ontwikkeling"),
    Source(themes.ChapterSection, "chapter", "title", "body", "Tekst"),
]


# ``kib_search_nl(title, body)`` is ``to_tsvector('dutch', title || ' ' || body)`` as a function the
# planner knows is expensive (created by migration themes/0005: COST 1000, plpgsql so it is never
# inlined). With plain ``to_tsvector`` it computed the vector for every row of the report's small
# tables rather than use the GIN index (measured on the demo: developmentitem 39 ms against 1 ms).


def vector_sql(source):
    """The indexed expression (migration 0005 creates one GIN index per source over it)."""
    return f"kib_search_nl({source.title}, {source.body})"


class DutchVector(Func):
    """``kib_search_nl(title, body)``: the same expression as the GIN index."""

    function = "kib_search_nl"
    output_field = SearchVectorField()


def words_of(query):
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def matching(source, query, chapter_ids=None):
    """The parts of ``source`` that match ``query``; only published chapters' (or those of ``chapter_ids``)."""
    if chapter_ids is None:
        chapter_ids = themes.Chapter.objects.published().values("pk")
    queryset = source.model.objects.filter(**{f"{source.chapter_path or 'pk'}__in": chapter_ids})
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(document=DutchVector(F(source.title), F(source.body))).filter(
            document=SearchQuery(query, config="dutch", search_type="websearch")
        )
    else:
        for word in words_of(query):
            queryset = queryset.filter(Q(**{f"{source.title}__icontains": word}) | Q(**{f"{source.body}__icontains": word}))
    return queryset


def _rows(source, index, query, chapter_ids):
    """``matching`` as rows of the UNION: (source index, its order in the chapter, pk, title, body, chapter id)."""
    order = source.model._meta.ordering[0] if source.model._meta.ordering else "pk"
    chapter = f"{source.chapter_path}_id" if source.chapter_path else "pk"
    rows = (
        matching(source, query, chapter_ids)
        .annotate(
            hit_source=Value(index, output_field=IntegerField()),
            hit_order=Value(0, output_field=IntegerField()) if source.model is themes.Chapter else F(order),
            hit_title=F(source.title),
            hit_body=F(source.body),
            hit_chapter=F(chapter),
        )
        .values_list("hit_source", "hit_order", "pk", "hit_title", "hit_body", "hit_chapter")
        .order_by("hit_order", "pk")
    )
    return rows[:MAX_HITS_PER_SOURCE] if connection.features.supports_slicing_ordering_in_compound else rows.order_by()


def stems(query):
    """A crude Dutch stem per word ("wachtlijsten" → "wachtlijst"), to mark what the database matched."""
    result = []
    for word in words_of(query):
        for suffix in ("en", "s", "e"):
            if len(word) > 5 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        result.append(word)
    return result


def passage(title, body, query):
    """Plain text around the first match, escaped, with every matching word in ``<mark>``."""
    text = html.unescape(strip_tags(f"{title} · {body}" if title and body else title or body))
    text = re.sub(r"\s+", " ", text).strip()
    found = stems(query)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(stem) for stem in found) + r")\w*", re.IGNORECASE) if found else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - PASSAGE_CHARS // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + PASSAGE_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    pieces, last = [], 0
    for match in pattern.finditer(window) if pattern else []:
        pieces.append(escape(window[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(window[last:]))
    return mark_safe(("… " if start else "") + "".join(pieces) + (" …" if end < len(text) else ""))


def search(query, year=None, theme_slug=None):
    """Matches grouped as [{edition, chapters: [{chapter, hits: [{label, passage, url}]}]}], newest edition first.

    Two queries: the published chapters in the filters (with edition and theme), then one
    UNION ALL of every source over those chapters' ids (a list, not a nested subquery).
    """
    chapters = themes.Chapter.objects.published().select_related("edition", "theme")
    if year is not None:
        chapters = chapters.filter(edition__year=year)
    if theme_slug is not None:
        chapters = chapters.filter(theme__slug=theme_slug)
    chapters = {chapter.pk: chapter for chapter in chapters.order_by()}
    if not chapters:
        return [], 0
    ids = list(chapters)
    first, *rest = [_rows(source, index, query, ids) for index, source in enumerate(SOURCES)]
    rows = sorted(first.union(*rest, all=True), key=lambda row: row[:3])
    groups = {}
    seen = {}
    for index, _order, _pk, title, body, chapter_id in rows:
        if seen.setdefault(index, 0) >= MAX_HITS_PER_SOURCE:
            continue
        seen[index] += 1
        chapter = chapters[chapter_id]
        entry = groups.setdefault(chapter.pk, {"chapter": chapter, "hits": []})
        entry["hits"].append(
            {"label": SOURCES[index].label, "passage": passage(title, body, query), "url": chapter.get_absolute_url()}
        )
    editions = {}
    for entry in sorted(groups.values(), key=lambda e: (-e["chapter"].edition.year, e["chapter"].theme.number)):
        edition = entry["chapter"].edition
        editions.setdefault(edition.pk, {"edition": edition, "chapters": []})["chapters"].append(entry)
    return list(editions.values()), sum(seen.values())
