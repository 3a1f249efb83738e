"""What the report templates print, fetched up front in a fixed number of queries.

``prefetch_chapters`` (or ``load_printed_parts`` for chapters already fetched) loads every
printed part of many chapters at once; ``ChapterLayout`` arranges one chapter's parts in the
printed order and attaches footnotes and cited sources to the part that holds them. The PDF
and the public chapter page both use it (through the ``chapter_layout`` template tag); given a
plain chapter, the layout fetches the parts on demand. Which parts are the small part tables
is declared in ``themes.parts`` (``small_table``).

The cost does not depend on the number of chapters or parts: each small part table (definitions,
headline values, blocks, free sections, footnotes, development groups and their items) comes in
one plain query, the figures with their chart and the series with their indicator in two, the
observations the charts draw in one or two more (``load_chart_cells``: the snapshot of a published
edition, else the live cells), citations, recommendations and data gaps in one each, and the
groups' codes in one. (One UNION ALL query of the small tables saved six queries but was slower on
SQLite: ``bench/bench_parts_query.py``.) Each of those statements but the cells' is compiled once per
connection (``kib.db.rows``): Django's building and compiling of the SQL on every page was most of
the loading's cost (on the grown set's chapter page, with ``prefetch_related_objects`` for the related
rows, about 15% of the whole page's CPU more than now).
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from indicators.chart_data import load_drawn_cells
from kib.db.rows import rows_in
from themes.models import DevelopmentGroup
from themes.parts import PARTS

SECTION_TITLES = {
    "focus": "Focus",
    "summary": "Zo staat het ervoor",
    "key_figures": "Kengetallen",
    "recommendations": "Aanbevelingen VN-Kinderrechtencomité",
    "numerical": "Cijfermatige ontwikkelingen",
    "policy": "Beleidsbeschrijvingen",
    "latest": "Laatste ontwikkelingen",
}


# The small tables of printed parts (``small_table`` in ``themes.parts``), one query each: their key in
# ``chapter.loaded_parts`` is the part's key; an item comes under its group (``group.loaded_items``).
PART_TABLES = tuple(part for part in PARTS if part.small_table)


def load_chart_cells(chapters, public_only=False):
    """The observations the figures of ``chapters`` (prefetched) draw, and only those, in two queries.

    ``public_only`` (the public site): published observations, showing their published values.
    """
    load_drawn_cells([figure for chapter in chapters for figure in chapter.figures.all()], public_only)


# What the report prints from a chapter's own foreign keys: select_related these when fetching chapters.
PRINTED_WITH_CHAPTER = ("edition", "theme", "lead_organisation")


def load_printed_parts(chapters, public_only=False, compared_with=()):
    """Fetch every part the report prints for ``chapters`` (a list, fetched with ``PRINTED_WITH_CHAPTER``).

    The related parts answer as after ``prefetch_related`` (``chapter.figures.all()`` …); the small part tables
    go into ``chapter.loaded_parts`` and each development group's items into ``group.loaded_items``,
    which ``ChapterLayout`` reads. The public site passes ``public_only``: figures draw published
    numbers only. ``compared_with``: more chapters that get the small part tables, their
    recommendations and their figures with the cells they draw, in the same queries (what "Wat is er
    veranderd" compares with; no citations or data gaps).
    """
    if not chapters:
        return chapters
    everything = [*chapters, *compared_with]
    # Each figure with its chart (and, on the public site, the chart's snapshot); each series with its indicator.
    figures = _load_related(everything, "figures", ("chart", "chart__snapshot") if public_only else ("chart",))
    _load_related([chart for figure in figures if (chart := getattr(figure, "chart", None))], "series", ("indicator",))
    _load_related(everything, "chapter_recommendations", ("recommendation",))
    _load_related(chapters, "citations", ("source",))
    # The chapter's data gaps ("blinde vlekken") with what is printed with them.
    _load_related(chapters, "data_gaps", ("recommendation", "first_noted_in"))
    load_chart_cells(everything, public_only)
    # The small part tables, one query each (plain queries beat one UNION ALL of them: bench/bench_parts_query.py).
    _load_small_parts(everything)
    groups = [group for chapter in everything for group in chapter.loaded_parts["development_groups"]]
    DevelopmentGroup.load_linked_codes(groups)  # the codes printed above a group
    return chapters


def _load_related(parents, name, select_related=()):
    """The rows of the reverse foreign key ``name`` of ``parents`` (one model's), each with its parent set and with
    ``select_related``; each parent's ``name.all()`` answers with its own, as ``prefetch_related_objects`` leaves them.

    One statement, compiled once per connection (``kib.db.rows``): building and compiling it anew, as the prefetch
    does, was most of its cost.
    """
    if not parents:
        return []
    field = getattr(type(parents[0]), name).field  # the foreign key on the related model
    own = _rows_by_parent(field, {parent.pk: parent for parent in parents}, select_related)
    for parent in parents:  # what prefetch_one_level leaves on each instance
        related = getattr(parent, name).get_queryset()
        related._result_cache, related._prefetch_done = own[parent.pk], True
        parent.__dict__.setdefault("_prefetched_objects_cache", {})[field.remote_field.cache_name] = related
    return [row for rows in own.values() for row in rows]


def _load_small_parts(chapters):
    """``chapter.loaded_parts`` and each development group's ``loaded_items``: one query per small part table.

    The rows ``prefetch_related_objects`` gave for each table's lookup (``definitions``, …,
    ``development_groups__items``), in the same order and each with its chapter or group set, without its
    bookkeeping per chapter and lookup (a related manager and a filtered queryset each, then thrown away):
    1.6 of the 11.8 ms that loading the grown set's chapter page took. Each table's statement is compiled
    once per connection (``kib.db.rows.rows_in``): the seven chapter tables 4.5 → 1.0 ms on that page.
    """
    by_pk = {chapter.pk: chapter for chapter in chapters}
    tables = {part.key: _rows_under(part, by_pk) for part in PART_TABLES if part.parent is None}
    for chapter in chapters:
        chapter.loaded_parts = {key: rows[chapter.pk] for key, rows in tables.items()}
    groups = {group.pk: group for chapter in chapters for group in chapter.loaded_parts["development_groups"]}
    (items,) = (part for part in PART_TABLES if part.parent is not None)  # the one table under another: the items
    rows = _rows_under(items, groups)
    for group in groups.values():
        group.loaded_items = rows[group.pk]


def _rows_under(part, parents):
    """The rows of ``part`` under ``parents`` ({pk: chapter or group}), per parent's pk, each with its parent set."""
    return _rows_by_parent(part.model._meta.get_field(part.parent_field), parents)


def _rows_by_parent(field, parents, select_related=()):
    """{parent's pk: its rows} of the foreign key ``field`` to ``parents`` ({pk: parent}), in the model's order,
    each row with its parent set; one statement compiled once per connection (``kib.db.rows``)."""
    own = {pk: [] for pk in parents}
    for row in rows_in(field.model, field.attname, parents, select_related):
        parent_pk = getattr(row, field.attname)
        field.set_cached_value(row, parents[parent_pk])
        own[parent_pk].append(row)
    return own


def prefetch_chapters(queryset, public_only=False):
    """The chapters of ``queryset`` as a list, with every part the report prints, in a constant number of queries.

    ``public_only``: the figures draw what the public sees (a published edition's snapshot), as on the site.
    """
    return load_printed_parts(list(queryset.select_related(*PRINTED_WITH_CHAPTER)), public_only=public_only)


class ChapterLayout:
    """One chapter's printed parts in order, each with its footnotes and cited sources attached."""

    def __init__(self, chapter):
        self.chapter = chapter
        ct = ContentType.objects.get_for_models(*(part.model for part in PARTS if part.annotated))
        self._ct_ids = {model: content_type.id for model, content_type in ct.items()}
        self._footnotes = defaultdict(list)
        self.loose_footnotes = []
        self._all_footnotes = self._parts("footnotes")
        for footnote in self._all_footnotes:
            if footnote.content_type_id and footnote.object_id:
                self._footnotes[(footnote.content_type_id, footnote.object_id)].append(footnote)
            else:
                self.loose_footnotes.append(footnote)
        self._sources = defaultdict(list)
        for citation in chapter.citations.all():
            self._sources[(citation.content_type_id, citation.object_id)].append(citation.source)

        self.figures = list(chapter.figures.all())
        figures_by_id = {figure.pk: figure for figure in self.figures}
        for figure in self.figures:
            self._decorate(figure)
        self.definitions = [self._decorate(d) for d in self._parts("definitions")]
        self.headline_values = self._parts("headline_values")
        self.recommendation_links = list(chapter.chapter_recommendations.all())  # with the movement assessed
        self.recommendations = [link.recommendation for link in self.recommendation_links]
        self.movement_assessed = any(link.movement for link in self.recommendation_links)
        self.key_figures = [self._decorate(b, figures_by_id) for b in self._parts("key_figures")]
        self.latest_developments = [self._decorate(b, figures_by_id) for b in self._parts("latest_developments")]
        for blocks in (self.key_figures, self.latest_developments):
            previous = ""
            for block in blocks:  # a subheading is printed once above the run of blocks it heads
                block.printed_subheading = block.subheading if block.subheading != previous else ""
                previous = block.subheading
        self.sections = self._parts("sections")
        self.numerical_groups, self.policy_groups = [], []
        for group in self._parts("development_groups"):
            items = getattr(group, "loaded_items", None)
            if items is None:
                items = group.items.all()
            group.printed_items = [self._decorate(item, figures_by_id) for item in items]
            kind_list = self.numerical_groups if group.kind == DevelopmentGroup.Kind.NUMERICAL else self.policy_groups
            kind_list.append(group)
        placed = {b.figure_id for b in self._all_blocks() if b.figure_id}
        self.unplaced_figures = [figure for figure in self.figures if figure.pk not in placed]
        # Footnotes whose part is not printed (e.g. attached to something removed) still print.
        printed = {(self._ct_ids[type(p)], p.pk) for p in [*self._all_blocks(), *self.figures, *self.definitions]}
        for key, footnotes in self._footnotes.items():
            if key not in printed:
                self.loose_footnotes.extend(footnotes)
        self._number_automatic_footnotes()

    def _number_automatic_footnotes(self):
        """Footnotes without a marker (added from their part) get 1, 2, 3… in print order.

        Numbers that a typed marker of the chapter already uses are skipped. Such a footnote is
        marked ``auto_numbered``: it is placed after its part's text, never after a number that
        happens to stand in it (``themes.notes``).
        """
        footnotes, figures_seen = [], set()

        def add(part):
            footnotes.extend(part.printed_footnotes)
            figure = getattr(part, "printed_figure", None)
            if figure is not None and figure.pk not in figures_seen:
                figures_seen.add(figure.pk)
                footnotes.extend(figure.printed_footnotes)

        for definition in self.definitions:
            add(definition)
        footnotes.extend(self.loose_footnotes)
        for block in self.key_figures:
            add(block)
        for figure in self.unplaced_figures:
            add(figure)
        for group in [*self.numerical_groups, *self.policy_groups]:
            for item in group.printed_items:
                add(item)
        for block in self.latest_developments:
            add(block)
        typed = {f.marker for f in self._all_footnotes if f.marker and not getattr(f, "auto_numbered", False)}
        number = 0
        for footnote in footnotes:
            if footnote.marker and not getattr(footnote, "auto_numbered", False):
                continue
            number += 1
            while str(number) in typed:
                number += 1
            footnote.marker, footnote.auto_numbered = str(number), True

    def _parts(self, key):
        """One kind of part in the printed order: loaded by ``load_printed_parts``, else fetched now."""
        loaded = getattr(self.chapter, "loaded_parts", None)
        if loaded is not None:
            return list(loaded[key])
        return list(getattr(self.chapter, key).all())

    def _all_blocks(self):
        yield from self.key_figures
        yield from self.latest_developments
        for group in [*self.numerical_groups, *self.policy_groups]:
            yield from group.printed_items

    def _decorate(self, part, figures_by_id=None):
        key = (self._ct_ids[type(part)], part.pk)
        part.printed_footnotes = self._footnotes.get(key, [])
        part.printed_sources = self._sources.get(key, [])
        if figures_by_id is not None:
            part.printed_figure = figures_by_id.get(part.figure_id)
        return part

    @property
    def development_sections(self):
        return [("numerical", self.numerical_groups), ("policy", self.policy_groups)]

    @property
    def has_key_figures(self):
        return bool(self.key_figures or self.unplaced_figures)

    @property
    def is_structured(self):
        """False for editions of another structure (2020: free sections only)."""
        c = self.chapter
        return bool(
            c.focus
            or self.definitions
            or self.headline_values
            or c.intro_question
            or self.key_figures
            or self.recommendations
            or self.numerical_groups
            or self.policy_groups
            or self.latest_developments
        )
