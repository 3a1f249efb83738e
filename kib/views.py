"""Public pages: home, archive, edition (the chapter page is ``themes.views.chapter_detail``).

Every query starts from a ``published()`` QuerySet (``Edition``, ``Chapter``, ``Recommendation``,
``Indicator``); an edition or chapter that is not published answers 404 whatever the URL.
Pages are rendered once per content version and then served from the public cache
(``kib.public_cache``); the queries below run only when a page is rebuilt.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from kib.models import Edition
from kib.public_cache import page_response
from kib.publication.models import PublishedPdf
from themes.models import Chapter


def current_pdfs(editions):
    """``{edition id: its current PublishedPdf}`` for the given published editions, in one query."""
    pdfs = PublishedPdf.objects.current().filter(edition__in=[e.pk for e in editions]).select_related("edition")
    return {pdf.edition_id: pdf for pdf in pdfs}


@require_safe
def home(request):
    def build():
        editions = list(Edition.objects.published().order_by("-year"))
        latest = editions[0] if editions else None
        chapters = []
        if latest is not None:
            chapters = (
                Chapter.objects.published()
                .filter(edition=latest)
                .select_related("edition", "theme")
                .order_by("theme__number")
            )
        pdfs = current_pdfs(editions)
        for edition in editions:
            edition.current_pdf = pdfs.get(edition.pk)
        context = {"editions": editions, "latest": latest, "chapters": chapters}
        return render_to_string("public/home.html", context)

    return page_response(request, ("home",), build)


@require_safe
def edition_detail(request, year):
    def build():
        edition = get_object_or_404(Edition.objects.published().select_related("concluding_observations"), year=year)
        chapters = (
            Chapter.objects.published()
            .filter(edition=edition)
            .select_related("edition", "theme", "lead_organisation")
            .order_by("theme__number")
        )
        pdfs = list(PublishedPdf.objects.filter(edition=edition).order_by("-version"))
        context = {
            "edition": edition,
            "chapters": chapters,
            "current_pdf": next((pdf for pdf in pdfs if pdf.is_current), None),
            "older_pdfs": [pdf for pdf in pdfs if not pdf.is_current],
            "section": "editions",
        }
        return render_to_string("public/edition.html", context)

    return page_response(request, ("edition", year), build)


@require_safe
@cache_control(max_age=60)
def ping(request):
    """Liveness probe: the web process answers (no database, no template). Also the benchmark's baseline."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
