"""The chapter as it will be printed, for the people who write and review it: the HTML preview.

The same templates as the public chapter page (``templates/report/chapter_body.html``) and the
site's CSS, with every number entered so far (not only published ones) and a CONCEPT mark.
Only staff who may preview the chapter reach it (``scoping.can_preview``: coordinators every
chapter, an editor the chapters of their organisation; anyone else gets 404, so a draft never
leaks); it is never cached outside the browser, never indexed, and may be shown in a frame of
our own admin only (the section pages show it beside the form).

``?sectie=<key>`` opens it at that section of the chapter (``themes.sections``): the page is
the whole chapter, as printed, scrolled to and marking the section being edited.

The draft PDF ("Voorbeeld-PDF" in the chapter's bar) goes through the cached draft previews of
``kib.publication`` (``request_preview``: the earlier build of the same content, or a new one in
the background) and lands on a plain page that says whether it is being made or ready, with the
download and the way back to the section. The same people reach it, 404 for anyone else.
"""

from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from kib.publication.models import PdfBuild, preview_storage
from kib.publication.services import request_preview
from kib.workflow import scoping
from themes import section_pages, sections
from themes.layout import PRINTED_WITH_CHAPTER, load_printed_parts

# Where a section of the admin page stands in the printed chapter (CSS selectors of report/*.html).
PRINTED_AT = {
    "algemeen": ".chapter-header",
    "focus": ".focus, .definition",
    "kerncijfer": ".headline",
    "stand": ".summary",
    "kengetallen": ".key-figures",
    "aanbevelingen": ".recommendations",
    "ontwikkelingen": ".developments",
    "laatste": ".latest-developments",
    "caribisch": ".developments",
    "blinde-vlekken": ".data-gaps",
    "vrije-secties": ".free-section",
    "voetnoten": ".section-sources, .fn-holder",
}


def _previewable_chapter(request, pk, *related):
    """The chapter ``pk`` if the user may preview it; 404 otherwise (a draft's existence never shows)."""
    chapter = scoping.visible_chapters(request.user).select_related("edition", *related).filter(pk=pk).first()
    if chapter is None or not scoping.can_preview(request.user, chapter.edition, chapter):
        raise Http404("Geen hoofdstuk dat u mag bekijken.")
    return chapter


@require_safe
@staff_member_required
@never_cache
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def chapter_preview(request, pk):
    chapter = _previewable_chapter(request, pk, *PRINTED_WITH_CHAPTER)
    load_printed_parts([chapter])
    key = request.GET.get("sectie")
    section = sections.BY_KEY.get(key) if key else None
    response = render(
        request,
        "themes/chapter_preview.html",
        {
            "chapter": chapter,
            "edition": chapter.edition,
            "data_gaps": chapter.data_gaps.all(),
            "concept": not chapter.edition.is_published,
            "current_section": section,
            "printed_at": PRINTED_AT.get(section.key, "") if section else "",
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
@staff_member_required
def chapter_pdf_preview(request, pk):
    """The "Voorbeeld-PDF" button: the cached draft PDF of this chapter's content, or a new one queued; then its page."""
    chapter = _previewable_chapter(request, pk)
    build = request_preview(chapter.edition, chapter=chapter, user=request.user)
    url = reverse("chapter_pdf_preview_status", args=[chapter.pk, build.pk])
    key = request.POST.get("sectie")
    return redirect(f"{url}?{urlencode({'sectie': key})}" if key in sections.BY_KEY else url)


@require_safe
@staff_member_required
@never_cache
def chapter_pdf_preview_status(request, pk, build_pk):
    """The draft PDF of one chapter, in words: being made (the page refreshes itself), ready, or failed."""
    chapter = _previewable_chapter(request, pk, "theme")
    build = get_object_or_404(PdfBuild, pk=build_pk, chapter=chapter, kind=PdfBuild.Kind.PREVIEW)
    ready = build.status == PdfBuild.Status.DONE and bool(build.file) and preview_storage.exists(build.file.name)
    section = sections.get(request.GET.get("sectie"))
    context = {
        **admin.site.each_context(request),
        "title": _("Voorbeeld-PDF van %(chapter)s") % {"chapter": chapter},
        "chapter": chapter,
        "build": build,
        "ready": ready,
        "waiting": build.status in (PdfBuild.Status.QUEUED, PdfBuild.Status.RUNNING),
        "failed": build.status == PdfBuild.Status.FAILED or (build.status == PdfBuild.Status.DONE and not ready),
        "section": section,
        "back_url": section_pages.section_url(chapter, section),
    }
    response = render(request, "admin/themes/chapter/pdf_preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
