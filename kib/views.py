"""Public pages: home, archive, edition (the chapter page is ``themes.views.chapter_detail``).

Every query starts from a ``published()`` QuerySet (``Edition``, ``Chapter``, ``Recommendation``,
``Indicator``); an edition or chapter that is not published answers 404 whatever the URL.
Pages are rendered once per content version and then served from the public cache
(``kib.public_cache``); the queries below run only when a page is rebuilt.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from kib.db.rows import kept_query
from kib.models import Edition
from kib.public_cache import page_response
from kib.publication.models import PublishedPdf
from themes.models import Chapter


# Each query of the home and edition pages built and compiled once per connection (``kib.db.rows.kept_query``):
# building and compiling them cost more than running them.
@kept_query
def _published_editions():
    return Edition.objects.published().order_by("-year")


@kept_query
def _current_pdfs(edition_ids):
    return PublishedPdf.objects.current().filter(edition__in=edition_ids).select_related("edition")


@kept_query
def _edition_chapters(edition_id):
    return (
        Chapter.objects.published()
        .filter(edition=edition_id)
        .select_related("edition", "theme", "lead_organisation")
        .order_by("theme__number")
    )


@kept_query
def _published_edition(year):
    return Edition.objects.published().select_related("concluding_observations").filter(year=year)


@kept_query
def _edition_pdfs(edition_id):
    return PublishedPdf.objects.filter(edition=edition_id).order_by("-version")


def current_pdfs(editions):
    """``{edition id: its current PublishedPdf}`` for the given published editions, in one query."""
    return {pdf.edition_id: pdf for pdf in _current_pdfs([e.pk for e in editions])}


@require_safe
def home(request):
    def build():
        editions = _published_editions()
        latest = editions[0] if editions else None
        chapters = _edition_chapters(latest.pk) if latest is not None else []
        pdfs = current_pdfs(editions)
        for edition in editions:
            edition.current_pdf = pdfs.get(edition.pk)
        context = {"editions": editions, "latest": latest, "chapters": chapters}
        return render_to_string("public/home.html", context)

    return page_response(request, ("home",), build)


@require_safe
def edition_detail(request, year):
    def build():
        edition = next(iter(_published_edition(year)), None)
        if edition is None:
            raise Http404("Geen gepubliceerde editie.")
        pdfs = _edition_pdfs(edition.pk)
        context = {
            "edition": edition,
            "chapters": _edition_chapters(edition.pk),
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
