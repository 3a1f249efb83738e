"""The public chapter page: one published chapter, printed as in the report, with its navigation.

It starts from ``Chapter.objects.published()``: a chapter of an edition that is not published
answers 404 whatever the URL. The page is rendered once per content version and then served
from the public cache (``kib.public_cache``); the queries below run only when it is rebuilt.
"""

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from kib.public_cache import page_response
from kib.publication.models import PublishedPdf
from themes.layout import PRINTED_WITH_CHAPTER, load_printed_parts
from themes.models import Chapter


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
