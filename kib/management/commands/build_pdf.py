"""Build the PDF of one edition synchronously (no queue, nothing stored in the database).

    python manage.py build_pdf 2024 --output rapport.pdf [--html rapport.html] [--draft] [--chapter 4]

``--html`` also writes the exact HTML given to WeasyPrint: one self-contained file (styles
inline, fonts as data: URLs), so ``weasyprint --pdf-variant pdf/ua-1 rapport.html x.pdf``
gives the same pages. Safe to rerun: it only writes the files named.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from kib.models import Edition
from kib.publication.registry import EXPORTERS
from kib.publication.render import PdfRenderError
from themes.models import Chapter


class Command(BaseCommand):
    help = "Bouw de pdf van een editie (direct, zonder wachtrij)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--output", required=True, help="Pad van de pdf.")
        parser.add_argument("--html", help="Schrijf ook de HTML die WeasyPrint krijgt naar dit pad.")
        parser.add_argument("--draft", action="store_true", help="Conceptversie: CONCEPT op elke pagina.")
        parser.add_argument("--chapter", type=int, help="Alleen het hoofdstuk van dit themanummer.")
        parser.add_argument("--timeout", type=int, help="Tijdslimiet in seconden (standaard KIB_PDF_TIMEOUT).")

    def handle(self, *args, year, output, html=None, draft=False, chapter=None, timeout=None, verbosity=1, **options):
        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            raise CommandError(f"Er is geen editie {year}.")
        if not edition.is_published and not draft:
            raise CommandError(f"Editie {year} is niet gepubliceerd; gebruik --draft voor een conceptversie.")
        chapter_obj = None
        if chapter is not None:
            chapter_obj = Chapter.objects.filter(edition=edition, theme__number=chapter).select_related("theme").first()
            if chapter_obj is None:
                raise CommandError(f"Editie {year} heeft geen hoofdstuk bij thema {chapter}.")
        exporter = EXPORTERS["pdf"](edition, draft=draft, chapter=chapter_obj)
        started = time.monotonic()
        document = exporter.render_html()
        if html:
            with open(html, "w", encoding="utf-8") as handle:
                handle.write(document)
        try:
            result = exporter.write_pdf(output, html=document, timeout=timeout)
        except PdfRenderError as exc:
            raise CommandError(f"De pdf is niet gemaakt: {exc}") from exc
        if verbosity:
            self.stdout.write(
                f"{output}: {result.page_count} pagina's, {result.size / 1024:.0f} kB, "
                f"{time.monotonic() - started:.1f} s (WeasyPrint {result.seconds:.1f} s)"
            )
