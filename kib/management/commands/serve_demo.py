"""Serve the site for the demo together with the background worker that builds PDFs.

Used by ``make run``: starts ``manage.py db_worker`` in a child process, then the
development server in the foreground; stopping the server stops the worker, whether it is
stopped with Ctrl-C or with SIGTERM (an editor's stop button, a process manager), and with
every process the worker started (it runs in its own process group).
"""

import os
import signal
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
                [sys.executable, "manage.py", "db_worker", "--interval", "1"],
                cwd=settings.BASE_DIR,
                start_new_session=True,
            )
        # SIGTERM would end this process without the ``finally`` below, leaving the worker running.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
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
                self._stop(worker)

    @staticmethod
    def _stop(worker):
        """Stop the worker's process group: politely, then for good after 10 seconds."""
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(worker.pid, signum)
            except ProcessLookupError:
                return
            try:
                worker.wait(timeout=10)
                return
            except subprocess.TimeoutExpired:
                continue

    @staticmethod
    def _demo_usernames():
        from kib.demo.loader import ORGANISATIONS

        return ["coordinator", "beheerder"] + [
            f"redacteur-{slug}" for _, _, slug, kind, _ in ORGANISATIONS if kind == "core"
        ]
