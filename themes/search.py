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
from django.db.models import F, Func, Q
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


def matching(source, query):
    """The published parts of ``source`` that match ``query``, with their chapter, edition and theme."""
    prefix = f"{source.chapter_path}__" if source.chapter_path else ""
    chapters = themes.Chapter.objects.published()
    if source.chapter_path:
        queryset = source.model.objects.filter(**{f"{source.chapter_path}__in": chapters})
    else:
        queryset = chapters
    queryset = queryset.select_related(f"{prefix}edition", f"{prefix}theme")
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(document=DutchVector(F(source.title), F(source.body))).filter(
            document=SearchQuery(query, config="dutch", search_type="websearch")
        )
    else:
        for word in words_of(query):
            queryset = queryset.filter(Q(**{f"{source.title}__icontains": word}) | Q(**{f"{source.body}__icontains": word}))
    return queryset


def chapter_of(obj, source):
    chapter = obj
    for step in source.chapter_path.split("__") if source.chapter_path else []:
        chapter = getattr(chapter, step)
    return chapter


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
    """Matches grouped as [{edition, chapters: [{chapter, hits: [{label, passage, url}]}]}], newest edition first."""
    groups = {}
    total = 0
    for source in SOURCES:
        queryset = matching(source, query)
        prefix = f"{source.chapter_path}__" if source.chapter_path else ""
        if year is not None:
            queryset = queryset.filter(**{f"{prefix}edition__year": year})
        if theme_slug is not None:
            queryset = queryset.filter(**{f"{prefix}theme__slug": theme_slug})
        for obj in queryset[:MAX_HITS_PER_SOURCE]:
            chapter = chapter_of(obj, source)
            entry = groups.setdefault(chapter.pk, {"chapter": chapter, "hits": []})
            entry["hits"].append(
                {
                    "label": source.label,
                    "passage": passage(getattr(obj, source.title), getattr(obj, source.body), query),
                    "url": chapter.get_absolute_url(),
                }
            )
            total += 1
    editions = {}
    for entry in sorted(groups.values(), key=lambda e: (-e["chapter"].edition.year, e["chapter"].theme.number)):
        edition = entry["chapter"].edition
        editions.setdefault(edition.pk, {"edition": edition, "chapters": []})["chapters"].append(entry)
    return list(editions.values()), total
