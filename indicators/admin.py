"""The admin of key figures: indicators with their chart, observations with spreadsheet import and
export, charts of numbered figures, headline series, data gaps, the import log and the open data.

Scoping: editors reach the indicators of their organisations' chapters in an edition in
preparation (``kib.workflow.scoping``) and the chapter parts of their chapters
(``chapter_path``); coordinators reach everything.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import RowResult

from indicators import chart_data, charts
from indicators.importing import COLUMNS, IMPORT_FORMATS, ImportFileError, check_size, template_bytes
from indicators.models import Chart, DataGap, FigureSeries, HeadlineSeries, ImportLog, Indicator, Observation
from indicators.resources import ObservationResource
from indicators.stats import headline_change
from kib.admin_base import KibModelAdmin, KibTabularInline, ReadOnlyAdminMixin
from kib.models import Edition
from kib.publication.registry import on_request_edition_exporters
from kib.workflow import scoping
from themes import parts
from themes.models import Figure, Theme


def scoped_by_indicator(request, qs, lookup):
    return scoping.scope_by_indicator(request.user, qs, lookup)


# -- indicators -----------------------------------------------------------------


class ObservationInline(KibTabularInline):
    model = Observation
    fields = ["period", "territory", "sex", "age_group", "breakdown", "value", "flag", "note"]


class FigureSeriesOfIndicatorInline(KibTabularInline):
    model = FigureSeries
    fk_name = "indicator"
    fields = ["chart", "label", "territory", "sex", "age_group", "breakdown"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("gebruikt in figuren")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(KibModelAdmin):
    list_display = ["name", "code", "theme", "unit", "observation_count"]
    list_filter = ["theme"]
    search_fields = ["name", "code"]
    list_select_related = ["theme"]
    filter_horizontal = ["sources"]
    fields = ["theme", "name", "code", "unit", "definition", "sources"]
    inlines = [ObservationInline, FigureSeriesOfIndicatorInline]
    change_form_template = "admin/indicators/indicator/change_form.html"
    change_list_template = "admin/indicators/indicator/change_list.html"

    def scope_queryset(self, request, qs):
        return scoped_by_indicator(request, qs, "pk")

    @admin.display(description=_("cijfers"))
    def observation_count(self, obj):
        return obj.observations.count()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "theme" and not scoping.sees_all_chapters(request.user):
            kwargs["queryset"] = Theme.objects.filter(
                pk__in=scoping.chapters_in_preparation(request.user).values("theme_id")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["indicator_chart"] = charts.indicator_svg(obj)
            figures = (
                Figure.objects.filter(chart__series__indicator=obj)
                .select_related("chapter__edition", "chapter__theme")
                .distinct()
                .order_by("-chapter__edition__year", "chapter__theme__number", "number")
            )
            context["figure_charts"] = [(figure, charts.figure_svg(figure)) for figure in figures]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- open data ------------------------------------------------------------

    def get_urls(self):
        return [
            path("open-data/", self.admin_site.admin_view(self.opendata_view), name="indicators_indicator_opendata"),
            path(
                "open-data/<int:year>/<slug:kind>/",
                self.admin_site.admin_view(self.opendata_download),
                name="indicators_indicator_opendata_download",
            ),
            *super().get_urls(),
        ]

    def opendata_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Open data per editie"),
            "editions": Edition.objects.order_by("-year"),
            "exporters": [{"identifier": cls.identifier, "label": cls.label} for cls in on_request_edition_exporters()],
        }
        return TemplateResponse(request, "admin/indicators/indicator/opendata.html", context)

    def opendata_download(self, request, year, kind):
        exporters = {cls.identifier: cls for cls in on_request_edition_exporters()}
        if not self.has_view_permission(request) or kind not in exporters:
            raise PermissionDenied
        edition = get_object_or_404(Edition, year=year)
        scope = None if edition.is_published else scoping.visible_indicators(request.user)
        return exporters[kind](edition, indicators=scope).response()


# -- observations: import and export ------------------------------------------------


class ObservationImportForm(ImportForm):
    allow_updates = forms.BooleanField(
        label=_("Bestaande waarden bijwerken"),
        required=False,
        help_text=_(
            "Uit: een rij die een bestaand cijfer zou veranderen, houdt de hele import tegen. "
            "Aan: zulke rijen vervangen het bestaande cijfer (u ziet ze als 'Wijzigen' in het voorbeeld)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].label = _("Bestand (.xlsx of .csv)")
        self.fields["format"].label = _("Formaat")

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


PREVIEW_SESSION_KEY = "indicators_import_previews"


class ObservationConfirmForm(ConfirmImportForm):
    allow_updates = forms.BooleanField(required=False, widget=forms.HiddenInput())


@admin.register(Observation)
class ObservationAdmin(ImportExportMixin, KibModelAdmin):
    list_display = ["indicator", "period", "territory", "sex", "age_group", "breakdown", "value", "flag", "public"]
    list_filter = ["territory", "flag", "public", "indicator__theme"]
    search_fields = ["indicator__name", "indicator__code", "period"]
    list_select_related = ["indicator"]
    autocomplete_fields = ["indicator"]
    # Set by publishing the edition that draws the figure (or closing a correction), never by hand.
    readonly_fields = ["public", "published_value", "published_flag", "published_note"]

    resource_classes = [ObservationResource]
    import_formats = IMPORT_FORMATS
    export_formats = IMPORT_FORMATS
    import_form_class = ObservationImportForm
    confirm_form_class = ObservationConfirmForm
    export_form_class = ExportForm  # every column, always: an export can be imported again
    import_template_name = "admin/indicators/observation/import.html"
    import_export_change_list_template = "admin/indicators/observation/change_list_import_export.html"
    skip_admin_log = True  # the rows are in the history, the import in the import log

    def scope_queryset(self, request, qs):
        return scoped_by_indicator(request, qs, "indicator")

    def has_import_permission(self, request):
        return request.user.has_perm("indicators.add_observation") and request.user.has_perm(
            "indicators.change_observation"
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, form=None, **kwargs):
        data = getattr(form, "cleaned_data", None) or {}
        return {"user": request.user, "allow_updates": bool(data.get("allow_updates"))}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["allow_updates"] = import_form.cleaned_data.get("allow_updates", False)
            # Only a file this user uploaded can be confirmed (the name travels through the browser).
            previews = request.session.get(PREVIEW_SESSION_KEY, [])[-9:]
            request.session[PREVIEW_SESSION_KEY] = [*previews, initial["import_file_name"]]
        return initial

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", e.message)
        else:
            form.add_error(
                "import_file", _("Het bestand kan niet worden gelezen. Kies het juiste formaat (xlsx of csv).")
            )

    def get_import_context_data(self, **kwargs):
        return {"columns": COLUMNS, "template_formats": ["xlsx", "csv"], **super().get_import_context_data(**kwargs)}

    def process_import(self, request, **kwargs):
        """The confirm step reads the stored file again; if that fails, say so instead of failing."""
        if request.POST.get("import_file_name") not in request.session.get(PREVIEW_SESSION_KEY, []):
            raise PermissionDenied
        try:
            return super().process_import(request, **kwargs)
        except (ImportFileError, FileNotFoundError) as exc:
            messages.error(
                request,
                getattr(exc, "message", None)
                or _("Het bestand van het voorbeeld is niet meer beschikbaar; upload het opnieuw."),
            )
            return HttpResponseRedirect(reverse("admin:indicators_observation_import"))

    def process_result(self, result, request):
        """After the confirmed import: a clear summary, or — if anything failed after all — nothing saved."""
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _(
                    "De import is niet uitgevoerd: er is sinds het voorbeeld iets veranderd of een rij klopt niet. "
                    "Er is niets opgeslagen; upload het bestand opnieuw om te zien wat."
                ),
            )
            return HttpResponseRedirect(reverse("admin:indicators_observation_import"))
        totals = result.totals
        messages.success(
            request,
            _("Import voltooid: %(new)s nieuw, %(updated)s gewijzigd, %(skipped)s ongewijzigd.")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )
        return HttpResponseRedirect(reverse("admin:indicators_observation_changelist"))

    def get_export_filename(self, request, queryset, file_format):
        from django.utils import timezone

        return f"kib-waarnemingen-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_urls(self):
        return [
            path(
                "sjabloon/<slug:file_format>/",
                self.admin_site.admin_view(self.template_download),
                name="indicators_observation_template",
            ),
            *super().get_urls(),
        ]

    def template_download(self, request, file_format):
        if not self.has_import_permission(request) or file_format not in ("xlsx", "csv"):
            raise PermissionDenied
        data = template_bytes(file_format, scoping.visible_indicators(request.user))
        content_type = "text/csv; charset=utf-8" if file_format == "csv" else IMPORT_FORMATS[1].CONTENT_TYPE
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="kib-importsjabloon.{file_format}"'
        return response


# -- charts of figures and headline series ---------------------------------------------


class FigureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        chapter = obj.chapter
        return f"{chapter.edition.year} · {chapter.theme.number}. {chapter.display_title} — {obj}"


class FigureSeriesInline(KibTabularInline):
    model = FigureSeries
    fields = ["indicator", "label", "territory", "sex", "age_group", "breakdown", "position"]
    autocomplete_fields = ["indicator"]
    extra = 1


@admin.register(Chart)
class ChartAdmin(KibModelAdmin):
    chapter_path = parts.chapter_path(Chart)
    list_display = ["figure", "chapter", "kind", "has_data"]
    list_filter = ["kind", "figure__chapter__edition", "figure__chapter__theme"]
    search_fields = ["figure__title"]
    list_select_related = ["figure__chapter__edition", "figure__chapter__theme"]
    fields = ["figure", "kind", "periods", "window", "shown_periods", "value_label"]
    readonly_fields = ["shown_periods"]
    inlines = [FigureSeriesInline]
    change_form_template = "admin/indicators/chart/change_form.html"

    @admin.display(description=_("hoofdstuk"))
    def chapter(self, obj):
        return obj.figure.chapter

    @admin.display(description=_("getoonde perioden"))
    def shown_periods(self, obj):
        """What the chart draws now, from its named periods or its window (the editor sees the effect)."""
        if obj is None or not obj.pk:
            return "–"
        periods = obj.shown_periods(chart_data.drawn_periods([obj.pk]).get(obj.pk, ()))
        return ", ".join(periods) or _("nog geen cijfers")

    @admin.display(description=_("getekend"), boolean=True)
    def has_data(self, obj):
        return chart_data.chart_data(obj) is not None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "figure":
            kwargs["form_class"] = FigureChoiceField  # the base limits the choices to editable chapters
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["chart_svg"] = charts.figure_svg(obj.figure)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(HeadlineSeries)
class HeadlineSeriesAdmin(KibModelAdmin):
    chapter_path = parts.chapter_path(HeadlineSeries)
    list_display = ["chapter", "indicator", "period_from", "period_to", "change_display"]
    list_filter = ["chapter__edition"]
    list_select_related = ["chapter__edition", "chapter__theme", "indicator"]
    autocomplete_fields = ["indicator"]
    fields = ["chapter", "indicator", "period_from", "period_to", "territory", "sex", "age_group", "breakdown"]

    @admin.display(description=_("verandering"))
    def change_display(self, obj):
        result = headline_change(obj.chapter)
        return str(result) if result else "—"


# -- data gaps ---------------------------------------------------------------------


@admin.register(DataGap)
class DataGapAdmin(KibModelAdmin):
    chapter_path = parts.chapter_path(DataGap)
    list_display = ["description", "chapter", "recommendation", "territory", "first_noted_in", "status"]
    list_filter = ["status", "territory", "chapter__edition", "chapter__theme"]
    search_fields = ["description", "holder"]
    list_select_related = ["chapter__edition", "chapter__theme", "recommendation", "first_noted_in"]
    autocomplete_fields = ["recommendation", "indicator"]
    fieldsets = [
        (None, {"fields": ["chapter", "description", "holder"]}),
        (_("Waarover"), {"fields": ["recommendation", "indicator", "territory"]}),
        (_("Sinds wanneer en stand van zaken"), {"fields": ["first_noted_in", "status", "position"]}),
    ]


# -- import log --------------------------------------------------------------------


@admin.register(ImportLog)
class ImportLogAdmin(ReadOnlyAdminMixin, KibModelAdmin):
    list_display = ["created_at", "user", "file_name", "total_rows", "new", "updated", "unchanged"]
    list_filter = ["created_at"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user"]
    fields = [
        "created_at",
        "user",
        "file_name",
        "file_format",
        "total_rows",
        "new",
        "updated",
        "unchanged",
        "indicators",
    ]
    readonly_fields = fields

    def scope_queryset(self, request, qs):
        return scoping.visible_import_logs(request.user, qs)
