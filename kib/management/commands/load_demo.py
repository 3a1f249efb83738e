"""Load the demo: the 2024 edition in full, the 2020 edition, the collective and its members.

Safe to rerun: a second run creates nothing and changes nothing. Demo accounts
(password in the README) are created only when DJANGO_DEBUG is on.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kib.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Laad de demo-inhoud (editie 2024 en 2020, organisaties, demo-accounts)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Laat zien wat er zou gebeuren, zonder op te slaan.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        with_accounts = settings.DEBUG or getattr(settings, "TESTING", False)
        with transaction.atomic():
            report, accounts = load_demo(with_accounts=with_accounts)
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
