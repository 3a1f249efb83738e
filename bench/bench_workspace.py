"""Benchmark of the editor's workspace: open and save each section of a chapter's admin page (prints figures).

On the demo as ``make run`` shows it (a throwaway SQLite file with ``load_demo``, 2025 in preparation;
``KIB_BENCH_DB`` reuses a file that has it), as the editor of UNICEF on their largest draft chapter:
per section (``themes.sections``), the server time with the Django test client (median of
``KIB_BENCH_RUNS`` requests, 20 by default) to open the section page and to save it unchanged,
its query count and HTML size; next to the admin change page of an organisation (a small model)
opened and saved by the administrator as the baseline, and the ratio (goal: at most 2x).
``KIB_BENCH_ROOT`` runs the same measurement on another checkout (the code before the sections).
``KIB_BENCH_CLOCK=cpu`` times with the process's CPU time instead of the wall clock: on a machine shared with
other work the wall clock mostly measures the others (run the two checkouts at the same time to compare them).
Figures only, no pass/fail.

    .venv/bin/python bench/bench_workspace.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("KIB_BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("KIB_BENCH_RUNS", "20"))
CLOCK = time.process_time if os.environ.get("KIB_BENCH_CLOCK") == "cpu" else time.perf_counter
SETTINGS = {
    "DJANGO_DEBUG": "1",
    "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
    "KIB_OTP_REQUIRED": "0",
    "KIB_LOG_LEVEL": "WARNING",
}


def setup():
    db = os.environ.get("KIB_BENCH_DB")
    if not db:
        db = str(Path(tempfile.mkdtemp(prefix="kib-bench-workspace-")) / "bench.sqlite3")
        env = {**os.environ, **SETTINGS, "DATABASE_URL": f"sqlite:///{db}"}
        env.pop("KIB_TESTING", None)
        for args in (["migrate", "-v0"], ["load_demo", "-v0", "--no-pdf"]):
            subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)
    os.environ.update({**SETTINGS, "DATABASE_URL": f"sqlite:///{db}"})
    os.environ.pop("KIB_TESTING", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kib.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # response.context, to post the form back as a browser would


def measure(client, url):
    """(median open ms, median save ms, queries to open, bytes) of the change page at ``url``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_permissions import form_data  # the untouched form's POST data, as the tests post it

    opened, saved = [], []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count, size = len(queries), len(response.content)
    for _ in range(RUNS):
        started = CLOCK()
        response = client.get(url)
        opened.append(CLOCK() - started)
        data = form_data(response)
        started = CLOCK()
        saved_response = client.post(url, data)
        saved.append(CLOCK() - started)
        assert saved_response.status_code == 302, (url, saved_response.status_code)
    return statistics.median(opened) * 1000, statistics.median(saved) * 1000, count, size


def main():
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from kib.models import Organisation
    from kib.workflow import scoping
    from themes import parts
    from themes.sections import SECTIONS

    users = get_user_model().objects
    editor, administrator = users.get(username="redacteur-unicef"), users.get(username="beheerder")
    chapters = [c for c in scoping.visible_chapters(editor) if scoping.can_edit_chapter(editor, c)]
    size = {c.pk: sum(parts.in_chapters(p, [c.pk]).count() for p in parts.PARTS) for c in chapters}
    chapter = max(chapters, key=lambda c: size[c.pk])

    baseline_client = Client()
    baseline_client.force_login(administrator)
    organisation = Organisation.objects.order_by("pk").first()
    base_open, base_save, base_queries, base_size = measure(
        baseline_client, reverse("admin:kib_organisation_change", args=[organisation.pk])
    )

    client = Client()
    client.force_login(editor)
    print(f"Workspace: {chapter} ({size[chapter.pk]} parts), as redacteur-unicef; median of {RUNS}; code: {ROOT}")
    print(f"{'page':<28} {'open ms':>8} {'save ms':>8} {'open ×':>7} {'save ×':>7} {'queries':>8} {'KB':>6}")
    print(f"{'organisation (baseline)':<28} {base_open:8.1f} {base_save:8.1f} {'1.0':>7} {'1.0':>7} {base_queries:8d} {base_size / 1000:6.1f}")
    url = reverse("admin:themes_chapter_change", args=[chapter.pk])
    for section in SECTIONS:
        opened, saved, queries, html = measure(client, f"{url}?sectie={section.key}")
        print(
            f"{section.key:<28} {opened:8.1f} {saved:8.1f} {opened / base_open:7.1f} {saved / base_save:7.1f}"
            f" {queries:8d} {html / 1000:6.1f}"
        )


if __name__ == "__main__":
    main()
