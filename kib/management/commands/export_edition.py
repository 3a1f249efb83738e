"""Write a portable archive of one edition: content, indicators, sources and the stored PDFs.

    python manage.py export_edition 2024 kib-2024.zip

Reads only; safe to rerun (an existing FILE is replaced only with --force). What the
archive holds and how it is read back: ``kib/ops/archive/`` and ``import_edition``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kib.models import Edition
from kib.ops.archive.common import ArchiveError
from kib.ops.archive.writing import describe, export_edition


class Command(BaseCommand):
    help = "Schrijf een editie (inhoud, cijfers, bronnen, pdf's) naar een zip-archief."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="Het jaar van de editie.")
        parser.add_argument("file", help="Het zip-bestand dat wordt geschreven.")
        parser.add_argument("--force", action="store_true", help="Overschrijf een bestaand bestand.")

    def handle(self, *args, year, file, force=False, verbosity=1, **options):
        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            raise CommandError(f"Editie {year} bestaat niet.")
        path = Path(file)
        if path.exists() and not force:
            raise CommandError(f"{path} bestaat al; gebruik --force om het te overschrijven.")
        partial = path.with_name(path.name + ".partial")
        try:
            manifest = export_edition(edition, partial)
        except ArchiveError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        partial.replace(path)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"{path} geschreven ({path.stat().st_size} bytes)."))
        if verbosity > 1:
            self.stdout.write(describe(manifest))
            self.stdout.write(f"  vingerafdruk: {manifest['fingerprint']}\n")
