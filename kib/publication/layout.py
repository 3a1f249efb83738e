"""What the report templates print, fetched up front in a fixed number of queries.

``prefetch_chapters`` loads every printed part of many chapters at once; ``ChapterLayout``
arranges one chapter's parts in the printed order and attaches footnotes and cited sources
to the part that holds them. The public chapter page uses the same layout (through the
``chapter_layout`` template tag) with a plain chapter; then the parts are fetched on demand.
"""

import importlib
import importlib.util
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch

from themes.models import (
    ChapterRecommendation,
    Citation,
    Definition,
    DevelopmentGroup,
    DevelopmentItem,
    Figure,
    KeyFigureParagraph,
    LatestDevelopment,
)

SECTION_TITLES = {
    "focus": "Focus",
    "summary": "Zo staat het ervoor",
    "key_figures": "Kengetallen",
    "recommendations": "Aanbevelingen VN-Kinderrechtencomité",
    "numerical": "Cijfermatige ontwikkelingen",
    "policy": "Beleidsbeschrijvingen",
    "latest": "Laatste ontwikkelingen",
}


def _figure_prefetches():
    """The figures, with what ``indicators.charts`` reads to draw them when that app has charts."""
    try:
        Figure._meta.get_field("chart")
    except FieldDoesNotExist:
        return ["figures"]
    return ["figures", "figures__chart", "figures__chart__series__indicator__observations"]


def prefetch_chapters(queryset):
    """``queryset`` with every part the report prints, in a constant number of queries."""
    return queryset.select_related("edition", "theme", "lead_organisation").prefetch_related(
        "definitions",
        "headline_values",
        *_figure_prefetches(),
        "key_figures",
        "latest_developments",
        "sections",
        "footnotes",
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
        Prefetch("chapter_recommendations", queryset=ChapterRecommendation.objects.select_related("recommendation")),
        Prefetch(
            "development_groups",
            queryset=DevelopmentGroup.objects.prefetch_related("recommendations", "items"),
        ),
    )


def figure_chart_function():
    """``indicators.charts.figure_svg`` once the indicators app provides it, else None."""
    if importlib.util.find_spec("indicators.charts") is None:
        return None
    module = importlib.import_module("indicators.charts")
    return getattr(module, "figure_svg", None)


class ChapterLayout:
    """One chapter's printed parts in order, each with its footnotes and cited sources attached."""

    def __init__(self, chapter):
        self.chapter = chapter
        ct = ContentType.objects.get_for_models(
            KeyFigureParagraph, DevelopmentItem, LatestDevelopment, Figure, Definition
        )
        self._ct_ids = {model: content_type.id for model, content_type in ct.items()}
        self._footnotes = defaultdict(list)
        self.loose_footnotes = []
        for footnote in chapter.footnotes.all():
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
        self.definitions = [self._decorate(d) for d in chapter.definitions.all()]
        self.headline_values = list(chapter.headline_values.all())
        self.recommendations = [link.recommendation for link in chapter.chapter_recommendations.all()]
        self.key_figures = [self._decorate(b, figures_by_id) for b in chapter.key_figures.all()]
        self.latest_developments = [self._decorate(b, figures_by_id) for b in chapter.latest_developments.all()]
        for blocks in (self.key_figures, self.latest_developments):
            previous = ""
            for block in blocks:  # a subheading is printed once above the run of blocks it heads
                block.printed_subheading = block.subheading if block.subheading != previous else ""
                previous = block.subheading
        self.sections = list(chapter.sections.all())
        self.numerical_groups, self.policy_groups = [], []
        for group in chapter.development_groups.all():
            group.printed_items = [self._decorate(item, figures_by_id) for item in group.items.all()]
            kind_list = self.numerical_groups if group.kind == DevelopmentGroup.Kind.NUMERICAL else self.policy_groups
            kind_list.append(group)
        placed = {b.figure_id for b in self._all_blocks() if b.figure_id}
        self.unplaced_figures = [figure for figure in self.figures if figure.pk not in placed]
        # Footnotes whose part is not printed (e.g. attached to something removed) still print.
        printed = {(self._ct_ids[type(p)], p.pk) for p in [*self._all_blocks(), *self.figures, *self.definitions]}
        for key, footnotes in self._footnotes.items():
            if key not in printed:
                self.loose_footnotes.extend(footnotes)

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
