"""Load the demo: the 2024 edition in full, the 2020 edition, the collective and its members.

Safe to rerun: a second run creates nothing and changes nothing. The editions are published
through the workflow (``publish_edition``), which queues their PDF. Demo accounts (password in
the README) are created by default only when DJANGO_DEBUG is on.
"""

import argparse
import datetime
from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kib.demo.cycle import run_cycle
from kib.demo.loader import DEMO_PASSWORD, load_demo
from kib.models import Edition
from kib.publication.models import PdfBuild, PublishedPdf
from kib.publication.receivers import without_pdf
from kib.publication.services import build_published_pdf


class Command(BaseCommand):
    help = "Laad de demo-inhoud (editie 2024 en 2020, organisaties, demo-accounts)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Laat zien wat er zou gebeuren, zonder op te slaan.")
        parser.add_argument(
            "--pdf",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Zet de bouw van de pdf's in de wachtrij bij de publicatie, en die van 2024 als die er nog niet is (standaard: ja).",
        )
        parser.add_argument(
            "--cycle",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Start editie 2025 met hoofdstukken in elke fase van de redactie (standaard: ja).",
        )
        parser.add_argument(
            "--accounts",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Maak de demo-accounts aan (standaard: alleen met DJANGO_DEBUG).",
        )

    def handle(self, *args, dry_run=False, verbosity=1, pdf=True, cycle=True, accounts=None, **options):
        with_accounts = settings.DEBUG if accounts is None else accounts
        with transaction.atomic(), nullcontext() if pdf else without_pdf():
            report, accounts = load_demo(with_accounts=with_accounts)
            if cycle:
                run_cycle(report)  # workflow: 2025 in preparation, its chapters in every state
            if dry_run:
                transaction.set_rollback(True)
        if verbosity:
            verb = "zou aanmaken" if dry_run else "aangemaakt"
            if report.total:
                for label, count in sorted(report.created.items()):
                    self.stdout.write(f"  {label}: {count} {verb}")
            else:
                self.stdout.write("Demo was al geladen; niets gewijzigd.")
            if accounts and verbosity > 0:
                self.stdout.write(self.style.SUCCESS(f"Demo-logins (wachtwoord: {DEMO_PASSWORD}):"))
                for role, username in accounts:
                    self.stdout.write(f"  {username:<35} {role}")
            elif not with_accounts:
                self.stdout.write("Geen demo-accounts: DJANGO_DEBUG staat uit.")
        if not dry_run and pdf:
            self.queue_demo_pdf(verbosity)

    def queue_demo_pdf(self, verbosity):
        """The published 2024 edition gets its PDF: queued once (``make run`` starts the worker that builds it)."""
        edition = Edition.objects.published().filter(year=2024).first()
        if edition is None or PublishedPdf.objects.filter(edition=edition, is_current=True).exists():
            return
        waiting = PdfBuild.Status.QUEUED, PdfBuild.Status.RUNNING
        recent = timezone.now() - datetime.timedelta(hours=1)  # an older unfinished build was cut off
        builds = PdfBuild.objects.filter(edition=edition, kind=PdfBuild.Kind.PUBLISHED, created_at__gte=recent)
        if builds.filter(status__in=waiting).exists():
            return
        build = build_published_pdf(edition)
        if verbosity:
            build.refresh_from_db()
            state = "gemaakt" if build.status == PdfBuild.Status.DONE else "in de wachtrij gezet"
            self.stdout.write(f"Pdf van editie 2024 {state}.")
