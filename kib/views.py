"""Public pages: home, archive, edition, chapter.

Every query starts from a ``published()`` QuerySet (``Edition``, ``Chapter``, ``Recommendation``,
``Indicator``); an edition or chapter that is not published answers 404 whatever the URL.
Pages are rendered once per content version and then served from the public cache
(``kib.public_cache``); the queries below run only when a page is rebuilt.
"""

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from kib.models import Edition
from kib.public_cache import page_response
from kib.publication.layout import PRINTED_WITH_CHAPTER, load_printed_parts
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
def chapter_detail(request, year, theme_slug):
    def build():
        # One query for the chapter itself and the navigation (this edition's chapters, and this theme
        # in every published edition), with the size of the edition's current PDF for the download link.
        current_pdf = PublishedPdf.objects.current().filter(edition=OuterRef("edition_id"))
        related = list(
            Chapter.objects.published()
            .filter(Q(edition__year=year) | Q(theme__slug=theme_slug))
            .select_related(*PRINTED_WITH_CHAPTER)
            .annotate(pdf_size=Subquery(current_pdf.values("size")[:1]))
            .order_by("theme__number", "-edition__year")
        )
        nav = [c for c in related if c.edition.year == year]
        chapter = next((c for c in nav if c.theme.slug == theme_slug), None)
        if chapter is None:
            raise Http404("Geen gepubliceerd hoofdstuk.")
        # Every printed part, data gaps included, in a fixed number of queries; published numbers only.
        load_printed_parts([chapter], public_only=True)
        index = nav.index(chapter)
        pdf = None
        if chapter.pdf_size is not None:
            pdf = {"url": reverse("public:edition_pdf", args=[year]), "size": chapter.pdf_size}
        context = {
            "chapter": chapter,
            "edition": chapter.edition,
            "nav": nav,
            "previous": nav[index - 1] if index > 0 else None,
            "next": nav[index + 1] if index + 1 < len(nav) else None,
            "other_editions": [c for c in related if c.theme.slug == theme_slug and c.edition.year != year],
            "data_gaps": chapter.data_gaps.all(),
            "pdf": pdf,
            "public_site": True,  # report/figure.html adds the data table under each chart
            "section": "editions",
        }
        return render_to_string("public/chapter.html", context)

    return page_response(request, ("chapter", year, theme_slug), build)


@require_safe
@cache_control(max_age=60)
def ping(request):
    """Liveness probe: the web process answers (no database, no template). Also the benchmark's baseline."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
