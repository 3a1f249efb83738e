"""Read an edition archive (from ``export_edition``) into this database, in one transaction.

    python manage.py import_edition kib-2024.zip [--dry-run]

Refuses, changing nothing, when the edition's year already exists, when the archive is
damaged, or when it was made by a newer KIB. Themes, organisations, sources, recommendations
and indicators that already exist are used as they are; everything else is added. With
--dry-run the import runs completely and is then rolled back.
"""

from django.core.management.base import BaseCommand, CommandError

from kib.ops.archive.common import ArchiveError
from kib.ops.archive.reading import import_edition


class Command(BaseCommand):
    help = "Lees een editie-archief in (alles of niets)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Het zip-bestand van export_edition.")
        parser.add_argument("--dry-run", action="store_true", help="Probeer de import en draai hem daarna terug.")

    def handle(self, *args, file, dry_run=False, verbosity=1, **options):
        try:
            with open(file, "rb") as fh:
                report = import_edition(fh, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"{file} bestaat niet.") from None
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        if not verbosity:
            return
        created, reused = sum(report.created.values()), sum(report.reused.values())
        verb = "zou inlezen" if dry_run else "ingelezen"
        self.stdout.write(
            self.style.SUCCESS(
                f"Editie {report.year} {verb}: {created} rijen nieuw, {reused} bestaande gebruikt, "
                f"{len(report.files)} bestanden."
            )
        )
        if report.fingerprint_checked:
            self.stdout.write("Inhoud gecontroleerd: gelijk aan het archief.")
        for link, count in sorted(report.unlinked.items()):
            self.stdout.write(self.style.WARNING(f"  {count}× {link} leeg gelaten (niet aanwezig in deze database)."))
        if verbosity > 1:
            for model_label, count in sorted(report.created.items()):
                self.stdout.write(f"  nieuw {model_label}: {count}")
            for model_label, count in sorted(report.reused.items()):
                self.stdout.write(f"  bestaand {model_label}: {count}")
