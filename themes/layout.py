"""What the report templates print, fetched up front in a fixed number of queries.

``prefetch_chapters`` (or ``load_printed_parts`` for chapters already fetched) loads every
printed part of many chapters at once; ``ChapterLayout`` arranges one chapter's parts in the
printed order and attaches footnotes and cited sources to the part that holds them. The PDF
and the public chapter page both use it (through the ``chapter_layout`` template tag); given a
plain chapter, the layout fetches the parts on demand. Which parts come in the one UNION ALL query
is declared in ``themes.parts`` (``small_table``).

The cost does not depend on the number of chapters or parts: the small part tables (definitions,
headline values, blocks, free sections, footnotes, development groups and their items) come in
one UNION ALL query, the figures with their chart and the series with their indicator in two,
the observations the charts draw in two more (``load_chart_cells``), and citations,
recommendations and data gaps in one each.
"""

from collections import defaultdict
from decimal import Decimal
from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Prefetch, Value, prefetch_related_objects
from django.db.models.functions import Cast

from indicators.chart_data import load_drawn_cells
from indicators.models import DataGap, FigureSeries
from themes.models import ChapterRecommendation, Citation, DevelopmentGroup, DevelopmentItem, Figure
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


def _figure_prefetches(public_only=False):
    """The figures, with their charts and series (``load_chart_cells`` then fetches the cells they draw).

    Each figure comes with its chart (one-to-one, same query), each series with its indicator
    (same query); ``load_printed_parts`` then fetches the cells the charts draw.
    """
    # The public site draws a published chart from its snapshot (``load_drawn_cells``): fetched with the chart.
    charts = ("chart", "chart__snapshot") if public_only else ("chart",)
    return [
        Prefetch("figures", queryset=Figure.objects.select_related(*charts)),
        Prefetch("figures__chart__series", queryset=FigureSeries.objects.select_related("indicator")),
    ]


def _related_prefetches(public_only=False):
    return [
        *_figure_prefetches(public_only),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
        Prefetch("chapter_recommendations", queryset=ChapterRecommendation.objects.select_related("recommendation")),
        # The chapter's data gaps ("blinde vlekken") with what is printed with them.
        Prefetch("data_gaps", queryset=DataGap.objects.select_related("recommendation", "first_noted_in")),
    ]


# The small tables of printed parts, read for any number of chapters in one UNION ALL query
# (``small_table`` in ``themes.parts``): their key in ``chapter.loaded_parts`` is the part's key.
PART_TABLES = tuple(part for part in PARTS if part.small_table)


def _column_type(field):
    """One output type per kind of value, so that every database unites the columns of different tables."""
    if field.is_relation or isinstance(field, models.IntegerField):
        return models.BigIntegerField()
    if isinstance(field, (models.CharField, models.TextField)):
        return models.TextField()
    if isinstance(field, models.DecimalField):
        return models.DecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return models.DateTimeField()
    if isinstance(field, models.DateField):
        return models.DateField()
    if isinstance(field, models.BooleanField):
        return models.BooleanField()
    raise TypeError(f"{field!r}: no union column type for {type(field).__name__}")


def _union_columns():
    """``{attname: output field}`` of every column of the part tables; a name has one type in all of them."""
    columns = {}
    for part in PART_TABLES:
        model = part.model
        for field in model._meta.concrete_fields:
            kind = _column_type(field)
            known = columns.setdefault(field.attname, kind)
            if known.deconstruct()[1:] != kind.deconstruct()[1:]:
                raise TypeError(f"{model.__name__}.{field.attname} differs in type from the same column elsewhere")
    return columns


def _part_rows(chapter_ids):
    """Every row of the part tables of these chapters, as ``(key, model instance)``, in one query."""
    columns = _union_columns()
    branches = []
    for part in PART_TABLES:
        key, model, lookup = part.key, part.model, part.chapter_path
        own = {field.attname for field in model._meta.concrete_fields}
        select = {"part_table": Value(key, output_field=models.TextField())}
        for i, (attname, kind) in enumerate(columns.items()):
            select[f"col{i}"] = F(attname) if attname in own else Cast(Value(None), output_field=kind)
        queryset = model._default_manager.filter(**{f"{lookup}__in": chapter_ids}).order_by()
        branches.append(queryset.annotate(**select).values_list(*select))
    union = branches[0].union(*branches[1:], all=True)
    position = {attname: i + 1 for i, attname in enumerate(columns)}
    models_by_key = {part.key: part.model for part in PART_TABLES}
    for row in union:
        model = models_by_key[row[0]]
        fields = model._meta.concrete_fields
        values = [_python_value(field, row[position[field.attname]]) for field in fields]
        yield row[0], model.from_db(union.db, [field.attname for field in fields], values)


def _python_value(field, value):
    if value is not None and isinstance(field, models.DecimalField):  # as a query of the table itself returns it
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def _in_model_order(parts, model):
    """``parts`` sorted as the model's ``Meta.ordering`` (what a query of the table would return)."""
    for name in reversed(model._meta.ordering):  # stable sorts, least significant key first
        attname = name.lstrip("-")
        parts.sort(key=attrgetter("pk" if attname == "pk" else attname), reverse=name.startswith("-"))
    return parts


def load_chart_cells(chapters, public_only=False):
    """The observations the figures of ``chapters`` (prefetched) draw, and only those, in two queries.

    ``public_only`` (the public site): published observations, showing their published values.
    """
    load_drawn_cells([figure for chapter in chapters for figure in chapter.figures.all()], public_only)


# What the report prints from a chapter's own foreign keys: select_related these when fetching chapters.
PRINTED_WITH_CHAPTER = ("edition", "theme", "lead_organisation")


def load_printed_parts(chapters, public_only=False, texts_only=()):
    """Fetch every part the report prints for ``chapters`` (a list, fetched with ``PRINTED_WITH_CHAPTER``).

    The related parts are prefetched as usual (``chapter.figures.all()`` …); the small part tables
    go into ``chapter.loaded_parts`` and each development group's items into ``group.loaded_items``,
    which ``ChapterLayout`` reads. The public site passes ``public_only``: figures draw published
    numbers only. ``texts_only``: more chapters that get only the small part tables and their
    recommendations, in the same queries (what "Wat is er veranderd" compares with; no figures).
    """
    if not chapters:
        return chapters
    recommendations = Prefetch(
        "chapter_recommendations", queryset=ChapterRecommendation.objects.select_related("recommendation")
    )
    prefetch_related_objects([*chapters, *texts_only], recommendations)
    prefetch_related_objects(chapters, *(p for p in _related_prefetches(public_only) if p.prefetch_to != "chapter_recommendations"))
    load_chart_cells(chapters, public_only)
    everything = [*chapters, *texts_only]
    by_id = {chapter.pk: chapter for chapter in everything}
    loaded = {pk: defaultdict(list) for pk in by_id}
    items = []
    for key, part in _part_rows(list(by_id)):
        if key == "development_items":
            items.append(part)
        else:
            part.chapter = by_id[part.chapter_id]
            loaded[part.chapter_id][key].append(part)
    groups = {}
    for chapter in everything:
        chapter.loaded_parts = {
            part.key: _in_model_order(loaded[chapter.pk][part.key], part.model)
            for part in PART_TABLES
            if part.key != "development_items"
        }
        for group in chapter.loaded_parts["development_groups"]:
            group.loaded_items = []
            groups[group.pk] = group
    for item in _in_model_order(items, DevelopmentItem):
        item.group = groups[item.group_id]
        item.group.loaded_items.append(item)
    prefetch_related_objects(list(groups.values()), "recommendations")  # the codes printed above a group
    return chapters


def prefetch_chapters(queryset):
    """The chapters of ``queryset`` as a list, with every part the report prints, in a constant number of queries."""
    return load_printed_parts(list(queryset.select_related(*PRINTED_WITH_CHAPTER)))


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
