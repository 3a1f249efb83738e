"""PDF builds and published versions in the admin (read-only), and the draft previews."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kib.admin_base import KibModelAdmin, ReadOnlyAdminMixin
from kib.models import Edition
from kib.publication.models import PdfBuild, PublishedPdf, preview_storage
from kib.publication.services import request_preview
from kib.workflow import scoping
from themes.models import Chapter


class ReadOnlyAdmin(ReadOnlyAdminMixin, KibModelAdmin):
    chapter_path = None


@admin.register(PdfBuild)
class PdfBuildAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "edition",
        "kind",
        "chapter",
        "state",
        "attempts",
        "duration",
        "page_count",
        "requested_by",
    ]
    list_filter = ["status", "kind", "edition"]
    list_select_related = ["edition", "chapter__theme", "chapter__edition", "requested_by"]
    readonly_fields = ["download", "state"]
    fields = [
        "edition",
        "kind",
        "chapter",
        "state",
        "error",
        "download",
        "attempts",
        "heartbeat_at",
        "repairs",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "page_count",
        "content_hash",
    ]
    change_list_template = "admin/publication/pdfbuild/change_list.html"

    def has_view_permission(self, request, obj=None):
        return scoping.can_view_pdf_builds(request.user)

    def scope_queryset(self, request, queryset):
        return scoping.visible_pdf_builds(request.user, queryset)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def state(self, obj):
        """The status, and for a running build whether its worker still beats (else the watchdog takes over)."""
        label = obj.get_status_display()
        if obj.repairs_id:
            label = _("%(status)s (herstel van versie %(version)s)") % {"status": label, "version": obj.repairs.version}
        if obj.is_stalled:
            return format_html(
                '<strong class="errornote">{}</strong>',
                _("%(status)s — vastgelopen: de worker geeft geen hartslag meer; wordt opnieuw gestart")
                % {"status": label},
            )
        return label

    @admin.display(description=gettext_lazy("pdf"))
    def download(self, obj):
        if obj.status != PdfBuild.Status.DONE:
            return "—"
        if obj.kind == PdfBuild.Kind.PREVIEW:
            url = reverse("admin:publication_pdfbuild_download", args=[obj.pk])
            return format_html('<a href="{}">{}</a>', url, _("Conceptversie downloaden"))
        if obj.published_pdf_id:
            return format_html('<a href="{}">{}</a>', obj.published_pdf.get_absolute_url(), obj.published_pdf.filename)
        return "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="publication_pdfbuild_preview"),
            path("<int:pk>/download/", view(self.download_view), name="publication_pdfbuild_download"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """Choose an edition or chapter and request its draft preview (built in the background)."""
        if request.method == "POST":
            edition = get_object_or_404(Edition, pk=request.POST.get("edition"))
            chapter = None
            if request.POST.get("chapter"):
                chapter = get_object_or_404(
                    Chapter.objects.select_related("edition"), pk=request.POST["chapter"], edition=edition
                )
            if not scoping.can_preview(request.user, edition, chapter):
                raise PermissionDenied
            build = request_preview(edition, chapter=chapter, user=request.user)
            if build.status == PdfBuild.Status.DONE:
                messages.success(request, _("Deze inhoud is niet veranderd: de eerdere conceptversie staat klaar."))
            else:
                messages.info(request, _("De conceptversie wordt gemaakt; ververs deze pagina over een halve minuut."))
            return redirect("admin:publication_pdfbuild_change", build.pk)
        user = request.user
        whole = scoping.previews_whole_edition(user)
        chapters = (
            scoping.visible_chapters(user)
            .select_related("edition", "theme")
            .order_by("-edition__year", "theme__number")
        )
        editions = Edition.objects.order_by("-year") if whole else Edition.objects.none()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Conceptversie (pdf) maken"),
            "editions": editions,
            "chapters": chapters,
        }
        return render(request, "admin/publication/pdfbuild/preview.html", context)

    def download_view(self, request, pk):
        build = get_object_or_404(
            PdfBuild.objects.select_related("edition", "chapter"), pk=pk, kind=PdfBuild.Kind.PREVIEW
        )
        if not scoping.can_preview(request.user, build.edition, build.chapter):
            raise PermissionDenied
        if build.status != PdfBuild.Status.DONE or not build.file or not preview_storage.exists(build.file.name):
            raise Http404(_("Deze conceptversie is er (nog) niet."))
        filename = build.file.name.rsplit("/", 1)[-1].split("-", 1)[-1]
        response = FileResponse(
            build.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(PublishedPdf)
class PublishedPdfAdmin(ReadOnlyAdmin):
    list_display = ["edition", "version", "is_current", "page_count", "size", "created_at", "link", "file_state"]
    list_filter = ["edition", "is_current"]
    list_select_related = ["edition"]
    fields = [
        "edition",
        "version",
        "is_current",
        "link",
        "file_state",
        "sha256",
        "size",
        "page_count",
        "created_at",
        "repaired_at",
    ]
    readonly_fields = ["link", "file_state"]

    @admin.display(description=gettext_lazy("bestand in orde"))
    def file_state(self, obj):
        if obj.damaged_at is None:
            return _("ja") if obj.repaired_at is None else _("ja (hersteld)")
        return format_html(
            '<strong class="errornote">{}</strong>',
            _("beschadigd sinds %(when)s: %(damage)s")
            % {"when": obj.damaged_at.strftime("%d-%m-%Y %H:%M"), "damage": obj.damage},
        )

    def has_view_permission(self, request, obj=None):
        return scoping.can_view_pdf_builds(request.user)

    @admin.display(description=gettext_lazy("bestand"))
    def link(self, obj):
        if not obj.edition.is_published:
            return obj.filename
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.filename)
