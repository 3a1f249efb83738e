from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.contenttypes.admin import GenericTabularInline
from django.http import HttpResponseRedirect
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from indicators.models import DataGap
from kib.admin_base import KibInlineMixin, KibModelAdmin, KibStackedInline, KibTabularInline
from kib.form_renderer import FAST
from kib.models import Edition
from kib.workflow import dashboard, scoping
from kib.workflow.admin import ChapterWorkflowMixin
from themes import parts, section_pages, sections
from themes.forms import CitingInlineMixin, DevelopmentGroupForm, PartCitationFormSet, chapter_recommendation_choices
from themes.inline_choices import share_choices
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


def shortened(entries, length=200):
    """The latest state changes with their explanation cut short (shown only; the history page has them whole)."""
    entries = list(entries)
    for entry in entries:
        entry.comment = Truncator(entry.comment).chars(length)
    return entries


AUDIT_ON_PAGE = 5  # state changes listed on a section page; the history page lists them all
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


def figure_choice_label(figure):
    return Truncator(str(figure)).chars(50)


@chapter_inline
class KeyFigureInline(CitingInlineMixin, OrderedInlineMixin, KibStackedInline):
    model = KeyFigureParagraph
    fields = ["position", ("title", "subheading"), "territory", "body", "figure"]
    kib_chapter = None  # the chapter of the page, set by get_formset (an inline instance serves one request)

    def get_formset(self, request, obj=None, **kwargs):
        self.kib_chapter = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The figure is chosen from a plain list of short titles: the figures are edited in this same section, so
        # the admin's popup links (change, add, delete, view; 1.3 KB a paragraph) only opened a second editor of
        # the same figure, and a title in full (up to 400 characters) is repeated in every paragraph's list.
        if db_field.name == "figure":
            # "Een genummerde figuur van dit hoofdstuk": the chapter's own figures, when the user may change it (the
            # figures any editable chapter offers, which the admin built per request with nested subqueries, held
            # these and more).
            chapter = self.kib_chapter
            editable = chapter is not None and self._parent_editable(request, chapter)
            kwargs["queryset"] = Figure.objects.filter(chapter=chapter) if editable else Figure.objects.none()
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "figure":
            if isinstance(formfield.widget, RelatedFieldWidgetWrapper):
                formfield.widget = formfield.widget.widget
            formfield.label_from_instance = figure_choice_label
        return formfield


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


class ChapterRecommendationsMixin:
    """A development group's codes as checkboxes of its own chapter's recommendations (``themes.forms``)."""

    def with_chapter_choices(self, form, chapter_id):
        choices = chapter_recommendation_choices(chapter_id) if chapter_id else ()
        return type(form.__name__, (form,), {"chapter_choices": choices})


@chapter_inline
class DevelopmentGroupInline(ChapterRecommendationsMixin, OrderedInlineMixin, KibTabularInline):
    model = DevelopmentGroup
    fields = ["position", "kind", "title", "recommendations"]
    form = DevelopmentGroupForm
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("recommendations")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = self.with_chapter_choices(formset.form, obj.pk if obj else None)
        return formset
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


class OneFormMediaInlineFormSet(helpers.InlineAdminFormSet):
    """An inline's scripts and styles read from one of its forms: they are all of one class, with the same widgets'
    files, and merging the same files once per row cost a twentieth of a large section's page."""

    @property
    def media(self):
        media = self.opts.media + self.formset.media
        first = next(iter(self), None)
        return media + first.media if first is not None else media


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

    # -- one section per page (``themes.sections``) ------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition", "theme", "lead_organisation")  # the list's too

    def get_object(self, request, object_id, from_field=None):
        """Read once per page view: the workflow panel and the form show the same chapter (GET only; a save
        reads it afresh)."""
        if request.method != "GET":
            return super().get_object(request, object_id, from_field)
        cache = request.__dict__.setdefault("_kib_chapter", {})
        if (object_id, from_field) not in cache:
            cache[object_id, from_field] = super().get_object(request, object_id, from_field)
        return cache[object_id, from_field]

    def section(self, request):
        """The section this request shows and saves (``?sectie=``; the default one when missing or unknown)."""
        return sections.get(request.GET.get("sectie"))

    def get_fieldsets(self, request, obj=None):
        """The section's own fields only; the add page the assignment; restoring a revision the whole chapter."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return [(sections.BY_KEY["algemeen"].title, {"fields": list(sections.BY_KEY["algemeen"].fields)})]
        if getattr(request, "kib_restoring", None):
            return fieldsets
        section = self.section(request)
        fields = list(section.fields)
        if section.key == "algemeen":
            fields[3:3] = [("state", "version"), ("updated_at", "revised_by")]
        if "chapter_version" in flatten_fieldsets(fieldsets):  # the lock travels with every section's form
            fields.append("chapter_version")
        return [(section.title, {"fields": fields, "description": section.help})]

    def get_inlines(self, request, obj):
        """The section's part inlines only: a section's save never touches another section's parts (and the other
        sections' inlines are not even made, nor asked for their permissions)."""
        if obj is None:
            return []
        section = self.section(request)
        return [inline for inline in super().get_inlines(request, obj) if inline.model in section.parts]

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)  # the section's (``get_inlines``)
        for inline in instances:
            if isinstance(inline, admin.StackedInline):
                # Each part folded under its title (open when it has an error): a section stays about three
                # screens tall however many parts it holds.
                fields = inline.get_fieldsets(request, obj)[0][1]["fields"]
                inline.fieldsets = [(_("Bewerken"), {"fields": fields, "classes": ["collapse"]})]
        return instances

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            shown = flatten_fieldsets(inline.get_fieldsets(request, obj))
            # What the rows' labels and read-only values read (a submitted chapter shows each choice as text).
            related = {f.name for f in inline.model._meta.concrete_fields if f.is_relation and f.name in shown}
            select = {*parts.BY_MODEL[inline.model].select_with_label, *related}
            formset = share_choices(formset, sorted(select))
            formset.renderer = FAST  # labels and empty error lists without a template per field (same HTML)
            yield formset, inline

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None, **kwargs):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj, **kwargs)
        for inline_formset in inline_formsets:
            inline_formset.__class__ = OneFormMediaInlineFormSet
        return inline_formsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.default_renderer = FAST  # a class made for this request (modelform_factory)
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            self.with_workflow_context(request, context, obj)  # before the audit entries are cut short below
            section = self.section(request)
            context.update(
                section=section,
                navigator=section_pages.navigator(obj, section),
                next_section=section_pages.next_section(section),
                status_label=dashboard.status_label(obj),
                deadline_words=dashboard.deadline_text(obj.deadline, obj.state) if obj.deadline else "",
                # The latest state changes only; the history page has them all.
                audit_entries=shortened(context.get("audit_entries", [])[:AUDIT_ON_PAGE]),
            )
            if section.key == "caribisch":
                context["caribbean_parts"] = section_pages.caribbean_parts(obj)
            if section.key == "voetnoten":
                context["cited_sources"] = section_pages.cited_sources(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        """"Opslaan en verder bewerken" stays in the section; "Opslaan en volgende sectie" opens the next one."""
        section = self.section(request)
        if "_nextsection" in request.POST:
            following = section_pages.next_section(section) or section
            self.message_user(request, _("Het hoofdstuk “%(chapter)s” is opgeslagen.") % {"chapter": obj})
            return HttpResponseRedirect(section_pages.section_url(obj, following))
        response = super().response_change(request, obj)
        if "_continue" in request.POST and response.status_code == 302:
            response["Location"] = section_pages.section_url(obj, section)
        return response

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
class DevelopmentGroupAdmin(ChapterRecommendationsMixin, SortableAdminBase, KibModelAdmin):
    """A group's own page: its items, its codes (the chapter's recommendations only), and the way back to the
    chapter's section."""

    chapter_path = parts.chapter_path(DevelopmentGroup)
    list_display = ["__str__", "chapter", "kind"]
    list_filter = ["kind", "chapter__edition", "chapter__theme"]
    search_fields = ["title"]
    list_select_related = ["chapter__edition", "chapter__theme"]
    fields = ["chapter", "kind", "position", "title", "printed_codes", "recommendations"]
    form = DevelopmentGroupForm
    inlines = [DevelopmentItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chapter__edition", "chapter__theme")

    def get_fields(self, request, obj=None):
        """New groups get their codes once their chapter is known (on the chapter's page, or after saving)."""
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [name for name in fields if name != "recommendations"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return self.with_chapter_choices(form, obj.chapter_id if obj else None)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            chapter = dashboard.with_status(Chapter.objects.filter(pk=obj.chapter_id)).get()  # "wijzigingen gevraagd"
            context.update(
                chapter=chapter,
                chapter_section=sections.of_part(DevelopmentGroup),
                section_url=section_pages.section_url(chapter, sections.of_part(DevelopmentGroup)),
                status_label=dashboard.status_label(chapter),
                deadline_words=dashboard.deadline_text(chapter.deadline, chapter.state) if chapter.deadline else "",
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


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
