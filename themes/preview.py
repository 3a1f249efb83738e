"""The chapter as it will be printed, for the people who write and review it: the HTML preview.

The same templates as the public chapter page (``templates/report/chapter_body.html``) and the
site's CSS, with every number entered so far (not only published ones) and a CONCEPT mark.
Only staff who may preview the chapter reach it (``scoping.can_preview``: coordinators every
chapter, an editor the chapters of their organisation; anyone else gets 404, so a draft never
leaks); it is never cached outside the browser, never indexed, and may be shown in a frame of
our own admin only (the section pages show it beside the form).

``?sectie=<key>`` opens it at that section of the chapter (``themes.sections``): the page is
the whole chapter, as printed, scrolled to and marking the section being edited.
"""

from csp.decorators import csp_replace
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from kib.workflow import scoping
from themes import sections
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


@require_safe
@staff_member_required
@never_cache
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def chapter_preview(request, pk):
    chapter = scoping.visible_chapters(request.user).select_related(*PRINTED_WITH_CHAPTER).filter(pk=pk).first()
    if chapter is None or not scoping.can_preview(request.user, chapter.edition, chapter):
        raise Http404("Geen hoofdstuk dat u mag bekijken.")
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
