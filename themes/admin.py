from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.translation import gettext_lazy as _

from indicators.models import DataGap
from kib.admin_base import KibInlineMixin, KibModelAdmin, KibStackedInline, KibTabularInline
from kib.models import Edition
from kib.workflow import scoping
from kib.workflow.admin import ChapterWorkflowMixin
from themes import parts
from themes.forms import CitingInlineMixin, PartCitationFormSet
from themes.models import (
    Chapter,
    ChapterRecommendation,
    ChapterSection,
    Citation,
    Definition,
    DevelopmentGroup,
    DevelopmentItem,
    Figure,
    Footnote,
    HeadlineValue,
    KeyFigureParagraph,
    LatestDevelopment,
    Theme,
)
from themes.ordering import OrderedInlineMixin, SortableAdminBase


@admin.register(Theme)
class ThemeAdmin(KibModelAdmin):
    chapter_path = None
    list_display = ["number", "title", "nav_label"]
    search_fields = ["title", "nav_label"]
    prepopulated_fields = {"slug": ["title"]}


CHAPTER_INLINES = {}  # part model -> its inline on the chapter page; the order is that of ``themes.parts``


def chapter_inline(inline):
    """Register ``inline`` as the chapter page's inline of its part."""
    CHAPTER_INLINES[inline.model] = inline
    return inline


class CitationInline(KibInlineMixin, GenericTabularInline):
    model = Citation
    fields = ["source", "position"]
    autocomplete_fields = ["source"]
    formset = PartCitationFormSet  # the chapter is the part's


@chapter_inline
class DefinitionInline(CitingInlineMixin, OrderedInlineMixin, KibStackedInline):
    model = Definition
    after_fieldset = _("Focus")
    fields = ["position", "label", "question", "body", "source_name"]


@chapter_inline
class HeadlineValueInline(OrderedInlineMixin, KibTabularInline):
    model = HeadlineValue
    after_fieldset = _("Kerncijfer")
    fields = ["position", "label", "value", "display", "unit"]
    verbose_name_plural = _("kerncijfer: waarden (van links naar rechts)")


@chapter_inline
class KeyFigureInline(CitingInlineMixin, OrderedInlineMixin, KibStackedInline):
    model = KeyFigureParagraph
    fields = ["position", ("title", "subheading"), "territory", "body", "figure"]


@chapter_inline
class FigureInline(CitingInlineMixin, KibStackedInline):
    model = Figure
    fields = [("number", "title"), "description", "source_line", "footnote", ("printed_without_chart", "no_chart_note")]


@chapter_inline
class ChapterRecommendationInline(OrderedInlineMixin, KibTabularInline):
    model = ChapterRecommendation
    fields = ["position", "recommendation", "movement", "movement_reasoning"]
    autocomplete_fields = ["recommendation"]
    verbose_name_plural = _("aanbevelingen VN-Kinderrechtencomité (met beoordeling van de beweging)")


@chapter_inline
class DevelopmentGroupInline(OrderedInlineMixin, KibTabularInline):
    model = DevelopmentGroup
    fields = ["position", "kind", "title", "recommendations"]
    show_change_link = True
    verbose_name_plural = _("cijfermatige ontwikkelingen en beleidsbeschrijvingen (open een groep voor de items)")


@chapter_inline
class LatestDevelopmentInline(CitingInlineMixin, OrderedInlineMixin, KibStackedInline):
    model = LatestDevelopment
    fields = ["position", ("subheading", "date"), "title", "territory", "body"]


@chapter_inline
class ChapterSectionInline(OrderedInlineMixin, KibStackedInline):
    model = ChapterSection
    fields = ["position", "title", "body"]


@chapter_inline
class FootnoteInline(OrderedInlineMixin, KibTabularInline):
    model = Footnote
    fields = ["position", "marker", "text"]


@chapter_inline
class DataGapInline(OrderedInlineMixin, KibTabularInline):
    model = DataGap
    fields = ["position", "description", "holder", "recommendation", "territory", "status"]
    autocomplete_fields = ["recommendation"]


@admin.register(Chapter)
class ChapterAdmin(SortableAdminBase, ChapterWorkflowMixin, KibModelAdmin):
    chapter_path = ""
    list_display = ["__str__", "edition", "theme", "lead_organisation", "state", "deadline", "updated_at"]
    list_filter = ["edition", "state", "theme", "lead_organisation"]
    search_fields = ["title", "theme__title", "focus", "summary"]
    list_select_related = ["edition", "theme", "lead_organisation"]
    filter_horizontal = ["contributing_organisations"]
    readonly_fields = ["state", "version", "updated_at", "revised_by"]
    assignment_fields = ["edition", "theme", "lead_organisation", "contributing_organisations", "deadline"]
    fieldsets = [
        (_("Hoofdstuk"), {"fields": ["edition", "theme", "title", ("state", "version"), ("updated_at", "revised_by")]}),
        (_("Toewijzing"), {"fields": ["lead_organisation", "contributing_organisations", "deadline"]}),
        (_("Focus"), {"fields": ["focus", "focus_text"]}),
        (_("Kerncijfer"), {"fields": ["headline_kind", "headline_label", "headline_note"]}),
        (_("Zo staat het ervoor"), {"fields": ["intro_question", "summary"]}),
    ]

    def set_history_delta_changes(self, request, historical_records, *args, **kwargs):
        """The history list prints each revision as ``Chapter.__str__`` (edition and theme): fetched once, not per row."""
        super().set_history_delta_changes(request, historical_records, *args, **kwargs)
        records = list(historical_records)
        editions = Edition.objects.in_bulk({record.edition_id for record in records})
        themes = Theme.objects.in_bulk({record.theme_id for record in records})
        for record in records:
            chapter = record.history_object
            chapter.edition, chapter.theme = editions.get(record.edition_id), themes.get(record.theme_id)
            record.history_object = chapter  # shadows the descriptor that builds a new instance per access

    def render_change_form(self, request, context, *args, **kwargs):
        """Place each inline after the fieldset it belongs to (``after_fieldset``), as in the printed chapter."""
        inlines = list(context.get("inline_admin_formsets", []))
        placed = set()
        sections = []
        for fieldset in context["adminform"]:
            here = [f for f in inlines if str(getattr(f.opts, "after_fieldset", "")) == str(fieldset.name)]
            placed.update(id(f) for f in here)
            sections.append((fieldset, here))
        context["print_sections"] = sections
        context["trailing_inlines"] = [f for f in inlines if id(f) not in placed]
        return super().render_change_form(request, context, *args, **kwargs)

    inlines = [CHAPTER_INLINES[part.model] for part in parts.PARTS if part.on_chapter_page]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "edition":  # no new chapters in a frozen edition
            kwargs["queryset"] = Edition.objects.exclude(pk__in=scoping.frozen_editions().values("pk"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        """Only coordinators assign chapters: editors see the assignment but cannot change it."""
        readonly = super().get_readonly_fields(request, obj)
        return readonly if scoping.is_coordinator(request.user) else [*readonly, *self.assignment_fields]


class DevelopmentItemInline(CitingInlineMixin, OrderedInlineMixin, KibStackedInline):
    model = DevelopmentItem
    fields = ["position", "title", "territory", "body", "figure"]


@admin.register(DevelopmentGroup)
class DevelopmentGroupAdmin(SortableAdminBase, KibModelAdmin):
    chapter_path = parts.chapter_path(DevelopmentGroup)
    list_display = ["__str__", "chapter", "kind"]
    list_filter = ["kind", "chapter__edition", "chapter__theme"]
    search_fields = ["title"]
    list_select_related = ["chapter__edition", "chapter__theme"]
    filter_horizontal = ["recommendations"]
    inlines = [DevelopmentItemInline]


@admin.register(Figure)
class FigureAdmin(KibModelAdmin):
    chapter_path = parts.chapter_path(Figure)
    list_display = ["__str__", "chapter", "source_line"]
    list_filter = ["chapter__edition", "chapter__theme"]
    search_fields = ["title", "source_line"]
    list_select_related = ["chapter__edition", "chapter__theme"]
    inlines = [CitationInline]


class AnnotatedPartAdmin(KibModelAdmin):
    """A part that carries cited sources (``annotated`` in ``themes.parts``), on its own page."""

    inlines = [CitationInline]
    list_display = ["__str__"]


@admin.register(KeyFigureParagraph)
class KeyFigureParagraphAdmin(AnnotatedPartAdmin):
    chapter_path = parts.chapter_path(KeyFigureParagraph)
    search_fields = ["title", "body"]


@admin.register(DevelopmentItem)
class DevelopmentItemAdmin(AnnotatedPartAdmin):
    chapter_path = parts.chapter_path(DevelopmentItem)
    search_fields = ["title", "body"]


@admin.register(LatestDevelopment)
class LatestDevelopmentAdmin(AnnotatedPartAdmin):
    chapter_path = parts.chapter_path(LatestDevelopment)
    search_fields = ["title", "body"]


@admin.register(Definition)
class DefinitionAdmin(AnnotatedPartAdmin):
    chapter_path = parts.chapter_path(Definition)
    search_fields = ["question", "body"]
