"""Search across every published edition: the chapters' text, grouped by edition and chapter.

Reads only ``Chapter.objects.published()``: their ids first, then one query over every kind of
text (``SOURCES``), so a page of results costs a fixed number of queries whatever it finds. On
PostgreSQL it is full-text search with the Dutch configuration ("wachtlijsten" finds "wachtlijst")
in one table, ``kib_search_index``, that triggers keep as a copy of the searched rows with their
stored vectors (migrations 0008 and 0010), under one GIN index; on SQLite one UNION ALL query over
the searched tables, where every word must occur (icontains).
The passage shown is plain text cut from the part, escaped, with the matching words in ``<mark>``.
"""

import functools
import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Expression, Q
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from themes import models as themes

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MAX_HITS_PER_SOURCE = 200
PER_PAGE = 50  # passages on a page of results: a common word finds hundreds over ten editions
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
    Source(themes.Chapter, "", "intro_question", "summary", _("Zo staat het ervoor")),
    Source(themes.Definition, "chapter", "question", "body", _("Definitie")),
    Source(themes.KeyFigureParagraph, "chapter", "title", "body", _("Kerncijfers")),
    Source(themes.Figure, "chapter", "title", "description", _("Figuur")),
    Source(themes.DevelopmentItem, "group__chapter", "title", "body", _("Ontwikkeling")),
    Source(themes.LatestDevelopment, "chapter", "title", "body", _("Laatste ontwikkeling")),
    Source(themes.ChapterSection, "chapter", "title", "body", _("Tekst")),
]


class SearchDocument(Expression):
    """The row's stored Dutch vector, ``kib_search`` (a generated column with a GIN index, migration 0008).

    PostgreSQL computes it when a row is written, so a search reads it instead of running
    ``to_tsvector`` over every candidate row's text.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}.kib_search", []


def words_of(query):
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def matching(source, query, chapter_ids=None):
    """The parts of ``source`` that match ``query``; only published chapters' (or those of ``chapter_ids``)."""
    if chapter_ids is None:
        chapter_ids = themes.Chapter.objects.published().values("pk")
    queryset = source.model.objects.filter(**{f"{source.chapter_path or 'pk'}__in": chapter_ids})
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(document=SearchDocument()).filter(
            document=SearchQuery(query, config="dutch", search_type="websearch")
        )
    else:
        for word in words_of(query):
            queryset = queryset.filter(Q(**{f"{source.title}__icontains": word}) | Q(**{f"{source.body}__icontains": word}))
    return queryset


def _branch(index, source, word_condition):
    """One SELECT of the UNION: (source, order in its chapter, pk, title, body, chapter id) of matching rows."""
    table = source.table
    order = "0" if source.model is themes.Chapter else f"{table}.{source.model._meta.ordering[0]}"
    if source.chapter_path == "":
        chapter, joins = f"{table}.id", ""
    elif source.chapter_path == "chapter":
        chapter, joins = f"{table}.chapter_id", ""
    else:  # group__chapter: a development item's chapter is its group's
        group = themes.DevelopmentGroup._meta.db_table
        chapter, joins = f"{group}.chapter_id", f" JOIN {group} ON {group}.id = {table}.group_id"
    condition = word_condition(table, source)
    return (
        f"SELECT * FROM (SELECT {index} AS hit_source, {order} AS hit_order, {table}.id AS pk, "
        f"{table}.{source.title} AS title, {table}.{source.body} AS body, {chapter} AS chapter_id "
        f"FROM {table}{joins} WHERE {chapter} IN ({{ids}}) AND {condition} "
        f"ORDER BY hit_order, pk LIMIT {MAX_HITS_PER_SOURCE}) AS hits_{index}"
    )


def _union_sql(word_condition):
    return " UNION ALL ".join(_branch(index, source, word_condition) for index, source in enumerate(SOURCES))


# The one query of a search on PostgreSQL: the index table of migration 0010 (``source`` is the place in
# ``SOURCES``), the first MAX_HITS_PER_SOURCE rows of each source in their chapter's order, in one table under
# one GIN index (a tenth of the planning and reading of a UNION ALL over the seven tables). The query is the
# function of migration 0012, which PostgreSQL plans once per connection rather than once per search.
_POSTGRESQL_SQL = "SELECT * FROM kib_search_hits(%(ids)s::integer[], %(query)s, %(per_source)s)"
# On SQLite every word must occur in the title or the body, the same match as ``matching`` (``icontains``:
# LIKE with the wildcards escaped), in one UNION ALL query over the searched tables.


def _sqlite_sql(words):
    def condition(table, source):
        return " AND ".join(
            f"({table}.{source.title} LIKE %(w{i})s ESCAPE '\\' OR {table}.{source.body} LIKE %(w{i})s ESCAPE '\\')"
            for i in range(len(words))
        ) or "1 = 1"

    return _union_sql(condition)


def _like(word):
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _hits(query, chapter_ids):
    """Every matching row of every source in these chapters, in one query: (source, order, pk, title, body, chapter)."""
    if connection.vendor == "postgresql":  # the ids as one array literal: one parameter to adapt, not one per id
        ids = "{" + ",".join(str(int(pk)) for pk in chapter_ids) + "}"
        sql, params = _POSTGRESQL_SQL, {"query": query, "ids": ids, "per_source": MAX_HITS_PER_SOURCE}
        with connection.prepared_cursor() as cursor:  # PostgreSQL parses and plans the call once per connection
            cursor.execute(sql, params)
            return cursor.fetchall()
    words = words_of(query)
    sql = _sqlite_sql(words).replace("{ids}", ", ".join(str(int(pk)) for pk in chapter_ids))
    params = {f"w{i}": _like(word) for i, word in enumerate(words)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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


# A tag of the stored (nh3-sanitised) HTML: "<" then a letter, "/" or "!" up to the next ">"; a lone "<"
# in a plain title ("< 18 jaar") stays text, as with ``strip_tags``. A regular expression rather than
# ``strip_tags``'s HTML parser, which took half the time of a passage; the result is escaped either way.
TAG = re.compile(r"<[A-Za-z/!][^>]*>")


class Marker:
    """Marks the words of a query (their crude stems) in a passage: where the first one is, and ``<mark>`` around each.

    The first is found with ``str.find`` in the lowered text (a regular expression with ``re.IGNORECASE``
    took most of a passage's time on a long part); the marks are put in the escaped window, never inside
    an entity ``html.escape`` writes (``&amp;`` ``&lt;`` ``&gt;`` ``&quot;`` ``&#x27;``).
    """

    def __init__(self, found):
        self.stems = found
        words = "|".join(re.escape(stem) for stem in found)
        self.pattern = re.compile(r"\b(?:" + words + r")\w*", re.IGNORECASE)
        self.escaped = re.compile(r"\b(?<!&)(?<!&#)(?:" + words + r")\w*", re.IGNORECASE)

    def first(self, text):
        """Where the first word that starts with a stem begins in ``text`` (what ``self.pattern`` finds), or None.

        The stems are lower case, so a match written in lower case is found in ``text`` as it is; only
        the text before it (where a match with capitals may start) is lowered, not the whole part.
        """
        if "\u0130" in text:  # "İ", the one letter that lowers to two: positions would shift
            match = self.pattern.search(text)
            return match.start() if match else None
        best = len(text)
        for stem in self.stems:
            at = _word_start(text, stem, best)
            if at != -1:
                best = at
        head = text[:best].lower()  # a match must end before the one found
        for stem in self.stems:
            at = _word_start(head, stem, best)
            if at != -1:
                best = at
        return best if best < len(text) else None

    def mark(self, escaped):
        return self.escaped.sub(_mark, escaped)


def _word_start(text, stem, end):
    """Where ``stem`` first occurs in ``text`` before ``end`` at the start of a word, or -1."""
    at = text.find(stem, 0, end)
    while at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_"):  # not at a word's start
        at = text.find(stem, at + 1, end)
    return at


def _mark(match):
    return "<mark>" + match.group() + "</mark>"


def marker(query):
    """The ``Marker`` of the words of ``query``, or None when it has none."""
    found = stems(query)
    return Marker(found) if found else None


def passage(title, body, query, pattern=False):
    """Plain text around the first match, escaped, with every matching word in ``<mark>``.

    ``pattern``: ``marker(query)``, when the caller made it once for all its passages.
    ``html.escape`` is what Django's ``escape`` does (the same five characters), without its lazy-string
    wrapper, which cost a third of a passage; a text without "&" has nothing to unescape. The window is
    escaped in one call and the words marked in the escaped text.
    """
    text = TAG.sub("", f"{title} · {body}" if title and body else title or body)
    if "&" in text:
        text = html.unescape(text)
    if "  " in text or not text.isprintable():  # every space but " " is unprintable: only then is there any to fold
        text = " ".join(text.split())  # the same as re.sub(r"\s+", " ", …).strip() (the same Unicode spaces), faster
    else:
        text = text.strip(" ")
    if pattern is False:
        pattern = marker(query)
    first = pattern.first(text) if pattern else None
    start = max(0, first - PASSAGE_CHARS // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + PASSAGE_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = html.escape(text[start:end])  # escaped once, then marked: the marks are the only tags
    if pattern:
        window = pattern.mark(window)
    return SafeString(("… " if start else "") + window + (" …" if end < len(text) else ""))


@dataclass(frozen=True)
class EditionRef:
    """What a result needs of its edition: plain values, cheap to keep in the public cache."""

    pk: int
    year: int
    label: str
    url: str

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return self.url


@dataclass(frozen=True)
class ChapterRef:
    """What a result needs of its chapter (with its edition and theme), as plain values.

    The search page keeps these for every published chapter under the content version, so a
    search unpickles a few strings instead of model instances and reverses no URL.
    """

    pk: int
    edition: EditionRef
    theme_slug: str
    theme_number: int
    theme_nav_label: str
    display_title: str
    url: str

    @classmethod
    def of(cls, chapter, edition=None):
        """From a chapter with its edition and theme loaded (``edition``: its EditionRef, if made already)."""
        if edition is None:
            e = chapter.edition
            edition = EditionRef(e.pk, e.year, str(e), e.get_absolute_url())
        return cls(
            chapter.pk, edition, chapter.theme.slug, chapter.theme.number, chapter.theme.nav_label,
            chapter.display_title, chapter.get_absolute_url(),
        )

    def get_absolute_url(self):
        return self.url


def chapter_refs(chapters, editions=()):
    """ChapterRefs of these chapters (edition and theme loaded); ``editions``: EditionRefs to share."""
    shared = {e.pk: e for e in editions}
    return [ChapterRef.of(c, shared.get(c.edition_id)) for c in chapters]


@functools.cache
def _labels(language):
    """The sources' labels in ``language`` (the active one), translated once per process and language."""
    return [str(source.label) for source in SOURCES]


def search(query, year=None, theme_slug=None, chapters=None, page=None):
    """Matches grouped as [{edition, chapters: [{chapter, hits: [{label, passage, url}]}]}], newest edition first,
    and how many passages were found.

    ``chapters``: the published chapters as ``ChapterRef``, if the caller has them already;
    otherwise they are fetched. Then one UNION ALL query over every source, limited to those
    chapters' ids (a list, not a nested subquery). ``page``: a page number (as the visitor typed it, or None for
    the first) of ``PER_PAGE`` passages; the page (Django's ``Page`` of the matching rows in the order shown)
    is returned third, and only its passages are cut and marked.
    """
    if chapters is None:
        chapters = chapter_refs(themes.Chapter.objects.published().select_related("edition", "theme").order_by())
    chapters = {
        c.pk: c
        for c in chapters
        if (year is None or c.edition.year == year) and (theme_slug is None or c.theme_slug == theme_slug)
    }
    shown = Paginator([], PER_PAGE).get_page(page)
    if not chapters:
        return [], 0, shown
    rows = sorted(_hits(query, list(chapters)), key=lambda row: row[:3])
    seen = {}
    found = []
    for row in rows:
        index = row[0]
        if seen.setdefault(index, 0) >= MAX_HITS_PER_SOURCE:
            continue
        seen[index] += 1
        found.append(row)
    # The order shown: newest edition first, then the themes' order; within a chapter, as found (by kind of
    # text, then the parts' own order). sorted() keeps that order for rows of the same chapter.
    found.sort(key=lambda row: (-chapters[row[5]].edition.year, chapters[row[5]].theme_number, row[5]))
    shown = Paginator(found, PER_PAGE).get_page(page)
    groups = {}
    pattern = marker(query)
    labels = _labels(get_language())
    for index, _order, _pk, title, body, chapter_id in shown.object_list:
        chapter = chapters[chapter_id]
        entry = groups.setdefault(chapter.pk, {"chapter": chapter, "hits": []})
        hit = {"label": labels[index], "passage": passage(title, body, query, pattern), "url": chapter.url}
        entry["hits"].append(hit)
    editions = {}
    for entry in groups.values():
        edition = entry["chapter"].edition
        editions.setdefault(edition.pk, {"edition": edition, "chapters": []})["chapters"].append(entry)
    return list(editions.values()), len(found), shown
