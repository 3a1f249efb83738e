"""The parts of a chapter, declared once, in the printed order.

Every piece of KIB that walks over "all parts of a chapter" reads ``PARTS``: the role
permissions (``kib.workflow.roles``), copying into the next edition (``themes.copying``),
the print/online layout (``themes.layout``), the chapter's history and the review-comment
targets (``kib.workflow.admin``), the dashboard's counts (``kib.workflow.dashboard``), the
chapter's admin inlines (``themes.admin``), the demo loader and the test factories.
A new kind of part is one line here; ``tests/test_parts_declaration.py`` fails when a model
with a path to ``Chapter`` is missing.

Per part:

- ``key``: its name on the chapter (the related name; for items, ``chapter.loaded_parts`` key).
- ``chapter_path``: the lookup from the part to its chapter (``"chapter"``, ``"group__chapter"``);
  ``parent``: the part it hangs off when that is not the chapter itself (an item's group).
- ``small_table``: one of the small part tables the layout prefetches as they are (``themes.layout``,
  ``chapter.loaded_parts``); the others come with their own prefetch (figures with charts, citations
  with sources…).
- ``annotated``: footnotes and cited sources attach to it (the layout, the citation inlines).
- ``copied``: ``"chapter"`` when ``themes.copying`` copies it with the chapter, ``"receiver"``
  when the indicators app carries it over through ``chapter_copied`` (open data gaps, charts).
- ``commented``: a review comment can point at it.
- ``in_history``: listed under the chapter's history (its own revisions, django-simple-history).
- ``on_chapter_page``: an inline on the chapter's admin page (in this order).
- ``reset_on_copy``: fields a copy starts empty (the movement is assessed anew each edition).
"""

from dataclasses import dataclass

from indicators import models as indicators
from themes import models as themes


@dataclass(frozen=True)
class Part:
    model: type
    key: str
    chapter_path: str = "chapter"
    parent: type | None = None
    small_table: bool = False
    annotated: bool = False
    copied: str = "chapter"
    commented: bool = False
    in_history: bool = True
    on_chapter_page: bool = True
    reset_on_copy: tuple = ()

    @property
    def parent_field(self):
        """The foreign key a copy is re-pointed along: ``chapter``, or ``group`` for an item."""
        return self.chapter_path.split("__")[0]

    @property
    def select_with_label(self):
        """What its ``__str__`` reads besides its own row."""
        if self.model is themes.ChapterRecommendation:
            return ("recommendation",)
        return ("figure",) if issubclass(self.model, themes.Block) else ()  # a block without title is named by its figure

    @property
    def points_at_figure(self):
        """A block that may place one of the chapter's figures (``figure``)."""
        return self.annotated and self.model is not themes.Figure and self.model is not themes.Definition

    @property
    def points_at_target(self):
        """A footnote or citation attached to another part (``content_type``/``object_id``)."""
        return self.model in (themes.Footnote, themes.Citation)


# fmt: off
PARTS = (
    Part(themes.Definition, "definitions", small_table=True, annotated=True, commented=True),
    Part(themes.HeadlineValue, "headline_values", small_table=True),
    Part(indicators.HeadlineSeries, "headline_series", copied="receiver", in_history=False, on_chapter_page=False),
    Part(themes.KeyFigureParagraph, "key_figures", small_table=True, annotated=True, commented=True),
    Part(themes.Figure, "figures", annotated=True, commented=True),
    Part(indicators.Chart, "charts", "figure__chapter", parent=themes.Figure, copied="receiver", in_history=False, on_chapter_page=False),
    Part(indicators.FigureSeries, "figure_series", "chart__figure__chapter", parent=indicators.Chart, copied="receiver", in_history=False, on_chapter_page=False),
    Part(themes.ChapterRecommendation, "chapter_recommendations", commented=True, reset_on_copy=("movement", "movement_reasoning")),
    Part(themes.DevelopmentGroup, "development_groups", small_table=True, commented=True),
    Part(themes.DevelopmentItem, "development_items", "group__chapter", parent=themes.DevelopmentGroup, small_table=True, annotated=True, commented=True, on_chapter_page=False),
    Part(themes.LatestDevelopment, "latest_developments", small_table=True, annotated=True, commented=True),
    Part(themes.ChapterSection, "sections", small_table=True, commented=True),
    Part(themes.Footnote, "footnotes", small_table=True),
    Part(themes.Citation, "citations", in_history=False, on_chapter_page=False),
    Part(indicators.DataGap, "data_gaps", copied="receiver"),
)
# fmt: on

BY_MODEL = {part.model: part for part in PARTS}
BY_KEY = {part.key: part for part in PARTS}


def chapter_path(model):
    """How a row of ``model`` reaches its chapter (for ``KibModelAdmin.chapter_path``)."""
    return BY_MODEL[model].chapter_path


def of_app(app_label):
    """The parts defined by one app, as model names (the role permissions are granted per app)."""
    return [part.model._meta.model_name for part in PARTS if part.model._meta.app_label == app_label]


def in_chapters(part, chapter_ids):
    """The rows of ``part`` of these chapters, in the printed order (an item under its group)."""
    rows = part.model._default_manager.filter(**{f"{part.chapter_path}__in": chapter_ids})
    if part.parent is None:
        return rows
    return rows.order_by(
        *(f"{part.parent_field}__{name}" for name in part.parent._meta.ordering), *part.model._meta.ordering
    )
