"""Benchmark of the layout's part loading (``themes.layout.load_printed_parts``; prints figures).

On the demo (a throwaway SQLite database, ``KIB_BENCH_DB``: an SQLite file with the demo
loaded, or PostgreSQL inside ``tools/with-postgres``), for the public chapter page's load (one chapter, published numbers) and the PDF's
load (the ten chapters of 2024): queries and the median time of ``KIB_BENCH_RUNS`` runs of
loading the parts and laying out every chapter.

It decided issue 10 item 9: the layout once read its small part tables in one UNION ALL query. On
2 December 2026 (SQLite, one run, load 6.7) that took 9 queries and 117 ms for the chapter page
against 15 queries and 81 ms with a plain ``prefetch_related`` per table, and 9 queries and 265 ms
against 16 and 248 ms for the PDF's ten chapters; slower, so it went, and the layout prefetches each
table as it is.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("KIB_BENCH_RUNS", "50"))


def setup():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):  # inside tools/with-postgres
        url = os.environ["DATABASE_URL"]
        env = {**os.environ, "DJANGO_DEBUG": "1"}
        env.pop("KIB_TESTING", None)
        for args in (["migrate", "-v0"], ["load_demo", "-v0", "--no-pdf", "--no-cycle"]):
            subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)
        os.environ.update({"DJANGO_DEBUG": "1", "DATABASE_URL": url})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kib.settings")
        import django

        django.setup()
        return
    db = os.environ.get("KIB_BENCH_DB")
    if not db:
        db = str(Path(tempfile.mkdtemp(prefix="kib-bench-parts-")) / "bench.sqlite3")
        env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}"}
        env.pop("KIB_TESTING", None)
        for args in (["migrate", "-v0"], ["load_demo", "-v0", "--no-pdf", "--no-cycle"]):
            subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)
    os.environ.update({"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kib.settings")
    import django

    django.setup()


def main():
    setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from themes import layout
    from themes.models import Chapter

    def load(chapters, public_only=False):
        return layout.load_printed_parts(chapters, public_only=public_only)

    def text(chapter_layout):
        parts = [*chapter_layout.definitions, *chapter_layout.key_figures, *chapter_layout.latest_developments]
        parts += [
            item
            for group in chapter_layout.numerical_groups + chapter_layout.policy_groups
            for item in group.printed_items
        ]
        return [(type(p).__name__, p.pk, [f.pk for f in p.printed_footnotes]) for p in parts] + [
            [c.codes() for c in chapter_layout.numerical_groups + chapter_layout.policy_groups]
        ]

    def run(load, fetch, public_only):
        chapters = fetch()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            load(chapters, public_only=public_only)
            layouts = [layout.ChapterLayout(chapter) for chapter in chapters]
            seconds = time.perf_counter() - started
        return len(queries), seconds, [text(item) for item in layouts]

    cases = {
        "chapter page (1 chapter, published numbers)": (
            lambda: list(
                Chapter.objects.published()
                .filter(edition__year=2024, theme__number=4)
                .select_related(*layout.PRINTED_WITH_CHAPTER)
            ),
            True,
        ),
        "PDF layout (10 chapters of 2024, its snapshot)": (
            lambda: list(
                Chapter.objects.filter(edition__year=2024)
                .order_by("theme__number")
                .select_related(*layout.PRINTED_WITH_CHAPTER)
            ),
            True,  # the published PDF draws the edition's snapshot, as its pages do
        ),
    }
    print(f"Loading and laying out the parts, median of {RUNS} runs ({connection.vendor})")
    for name, (fetch, public_only) in cases.items():
        run(load, fetch, public_only)  # settles per-process caches (content types) outside the measurement
        runs = [run(load, fetch, public_only) for _ in range(RUNS)]
        reset_queries()
        assert all(r[2] == runs[0][2] for r in runs), "every run lays out the same parts"
        assert len({r[0] for r in runs}) == 1, "the same number of queries every run"
        print(f"  {name:<45} {runs[0][0]:>3} queries {statistics.median(r[1] for r in runs) * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
