"""Write the open data of one edition: ``manage.py export_opendata 2024 --output kib-2024.zip``.

``--format csv`` writes only the observations CSV. Only published editions, unless
``--concept`` is given (for checking a draft). Reading only; safe to rerun.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kib.models import Edition
from kib.publication.registry import on_request_edition_exporters

FORMATS = {cls.extension: cls for cls in on_request_edition_exporters()}  # zip: the open data, csv: the figures


class Command(BaseCommand):
    help = "Schrijf de open data (zip met CSV's en README, of alleen de CSV) van één editie."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="Het jaar van de editie, bijv. 2024.")
        parser.add_argument("--output", "-o", help="Het bestand; standaard de gebruikelijke naam in de huidige map.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="zip")
        parser.add_argument("--concept", action="store_true", help="Ook een editie die nog niet is gepubliceerd.")

    def handle(self, *args, year, output=None, format="zip", concept=False, verbosity=1, **options):
        editions = Edition.objects.all() if concept else Edition.objects.published()
        edition = editions.filter(year=year).first()
        if edition is None:
            raise CommandError(
                f"Geen editie {year}."
                if not Edition.objects.filter(year=year).exists()
                else f"Editie {year} is nog niet gepubliceerd; gebruik --concept om toch te exporteren."
            )
        exporter = FORMATS[format](edition)
        file = exporter.render()
        path = Path(output or file.filename)
        path.write_bytes(file.data)
        size = len(file.data)
        if verbosity:
            count = exporter.observations().count()
            self.stdout.write(self.style.SUCCESS(f"{path}: {count} cijfers, {size} bytes."))
