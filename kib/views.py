"""Public pages: home, archive, edition (the chapter page is ``themes.views.chapter_detail``).

Every query starts from a ``published()`` QuerySet (``Edition``, ``Chapter``, ``Recommendation``,
``Indicator``); an edition or chapter that is not published answers 404 whatever the URL.
Pages are rendered once per content version and then served from the public cache
(``kib.public_cache``); the queries below run only when a page is rebuilt.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control, never_cache
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


@never_cache
@require_safe
def switch_language(request, code):
    """The language switch's link: remember ``code`` in the language cookie and go back to ``next``.

    A link rather than a form posted to Django's ``set_language``, so that public pages carry no
    CSRF token and set no cookie; only this answer sets one, the language the visitor chose.
    ``next`` must be a page of this site (as ``set_language`` checks), else the home page.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("Deze taal kent de site niet.")
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
