"""Serve the site for the demo together with the background worker that builds PDFs.

Used by ``make run``: starts ``manage.py db_worker`` in a child process, then the
development server in the foreground; stopping the server stops the worker.
"""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kib.demo.loader import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Start de site met de achtergrondwerker (voor de demo)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, addr, no_worker, **options):
        worker = None
        if not no_worker:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "1"], cwd=settings.BASE_DIR
            )
        try:
            self.stdout.write(self.style.SUCCESS(f"KIB draait op http://{addr}/  (redactie: http://{addr}/admin/)"))
            if settings.DEBUG:
                from django.contrib.auth import get_user_model

                names = (
                    get_user_model()
                    .objects.filter(username__in=self._demo_usernames())
                    .values_list("username", flat=True)
                )
                self.stdout.write(f"Demo-logins (wachtwoord: {DEMO_PASSWORD}): " + ", ".join(sorted(names)))
            call_command("runserver", addr, use_reloader=False)
        finally:
            if worker:
                worker.terminate()
                worker.wait(timeout=10)

    @staticmethod
    def _demo_usernames():
        from kib.demo.loader import ORGANISATIONS

        return ["coordinator", "beheerder"] + [
            f"redacteur-{slug}" for _, _, slug, kind, _ in ORGANISATIONS if kind == "core"
        ]
