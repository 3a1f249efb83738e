"""Grow the loaded demo into ten published editions and about 100,000 observations (``kib.demo.growth``).

    python manage.py grow_demo [--until 2034] [--dry-run] [--no-pdf]

Every year goes through the import path and the workflow services (start, edit, submit,
approve, publish). Safe to rerun: it continues from the newest edition in preparation and
does nothing once ``--until`` is reached. For benchmarks and trying the site with a decade
of history; never on real data.
"""

import argparse
import time
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kib.demo.growth import GrowthError, grow
from kib.publication.receivers import without_pdf


class Command(BaseCommand):
    help = "Laat de demo tien jaar doorgroeien (edities publiceren, cijfers importeren)."

    def add_arguments(self, parser):
        parser.add_argument("--until", type=int, default=2034, help="Laatste editie, blijft in voorbereiding.")
        parser.add_argument("--dry-run", action="store_true", help="Alles doorrekenen en daarna terugdraaien.")
        parser.add_argument(
            "--pdf",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Zet bij elke publicatie de bouw van de pdf in de wachtrij (standaard: ja).",
        )

    def handle(self, *args, until, dry_run=False, pdf=True, verbosity=1, **options):
        started = time.monotonic()
        out = self.stdout.write if verbosity else None
        try:
            with transaction.atomic(), nullcontext() if pdf else without_pdf():
                edition = grow(until, out=out)
                if dry_run:
                    transaction.set_rollback(True)
        except GrowthError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            self.stdout.write(f"Klaar tot en met {edition} in {time.monotonic() - started:.0f} s.")
