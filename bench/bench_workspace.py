"""Benchmark of the editor's workspace: open and save each section of a chapter's admin page (prints figures).

On the demo as ``make run`` shows it (a throwaway SQLite file with ``load_demo``, 2025 in preparation;
``KIB_BENCH_DB`` reuses a file that has it), as the editor of UNICEF on their largest draft chapter:
per section (``themes.sections``), the server time with the Django test client (median of
``KIB_BENCH_RUNS`` requests, 20 by default) to open the section page and to save it unchanged,
its query count and HTML size; next to the admin change page of an organisation (a small model)
opened and saved by the administrator as the baseline, in turn with each section's requests (so that both see
the same load of a shared machine), and the ratio (goal: at most 2x).
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


def _timed(client, method, url, data=None):
    started = CLOCK()
    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    return CLOCK() - started, response


def measure(client, url, baseline_client, baseline_url):
    """({"open", "save", "base open", "base save"}: median ms, queries to open, bytes) of the change page at ``url``,
    the baseline page measured in turn with it (open and save one, then the other), so that a ratio compares two
    pages under the same load of the machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_permissions import form_data  # the untouched form's POST data, as the tests post it

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count, size = len(queries), len(response.content)
    times = {"open": [], "save": [], "base open": [], "base save": []}
    for _ in range(RUNS):
        for prefix, who, where in (("", client, url), ("base ", baseline_client, baseline_url)):
            elapsed, response = _timed(who, "get", where)
            times[prefix + "open"].append(elapsed)
            assert response.status_code == 200, (where, response.status_code)
            data = form_data(response)
            elapsed, saved = _timed(who, "post", where, data)
            times[prefix + "save"].append(elapsed)
            assert saved.status_code == 302, (where, saved.status_code)
    medians = {key: statistics.median(values) * 1000 for key, values in times.items()}
    return medians, count, size


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
    baseline_url = reverse("admin:kib_organisation_change", args=[organisation.pk])

    client = Client()
    client.force_login(editor)
    print(f"Workspace: {chapter} ({size[chapter.pk]} parts), as redacteur-unicef; median of {RUNS}; code: {ROOT}")
    print("Baseline: an organisation's change page as the administrator, opened and saved in turn with each section.")
    header = f"{'page':<16} {'open ms':>8} {'save ms':>8} {'base open':>10} {'base save':>10} {'open ×':>7} {'save ×':>7}"
    print(f"{header} {'queries':>8} {'KB':>6}")
    url = reverse("admin:themes_chapter_change", args=[chapter.pk])
    for section in SECTIONS:
        m, queries, html = measure(client, f"{url}?sectie={section.key}", baseline_client, baseline_url)
        print(
            f"{section.key:<16} {m['open']:8.1f} {m['save']:8.1f} {m['base open']:10.1f} {m['base save']:10.1f}"
            f" {m['open'] / m['base open']:7.2f} {m['save'] / m['base save']:7.2f} {queries:8d} {html / 1000:6.1f}"
        )

if __name__ == "__main__":
    main()
