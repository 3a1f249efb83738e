"""Benchmark of the layout's UNION ALL part query against plain ``prefetch_related`` (prints figures).

On the demo (a throwaway SQLite database, ``KIB_BENCH_DB``: an SQLite file with the demo
loaded, or PostgreSQL inside ``tools/with-postgres``), for the public chapter page's load (one chapter, published numbers) and the PDF's
load (the ten chapters of 2024): queries and the median time of ``KIB_BENCH_RUNS`` runs of
loading the parts and laying out every chapter, once with ``themes.layout.load_printed_parts``
(the small part tables in one UNION ALL query) and once with a plain ``prefetch_related``
of the same parts (one query per table). Both must lay out the same text.
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
    from django.db.models import prefetch_related_objects
    from django.test.utils import CaptureQueriesContext

    from themes import layout
    from themes.models import Chapter
    from themes.parts import PARTS

    def plain(chapters, public_only=False):
        """The same parts with one prefetch per table (no ``loaded_parts``: the layout reads the caches)."""
        prefetch_related_objects(chapters, *layout._related_prefetches(public_only))
        keys = [part.key for part in PARTS if part.small_table and part.parent is None]
        prefetch_related_objects(chapters, *keys, "development_groups__items", "development_groups__recommendations")
        if public_only:
            layout.show_published_numbers(chapters)
        return chapters

    def union(chapters, public_only=False):
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
        "PDF layout (10 chapters of 2024)": (
            lambda: list(
                Chapter.objects.filter(edition__year=2024)
                .order_by("theme__number")
                .select_related(*layout.PRINTED_WITH_CHAPTER)
            ),
            False,
        ),
    }
    print(f"UNION ALL part query against plain prefetch_related, median of {RUNS} runs ({connection.vendor})")
    for name, (fetch, public_only) in cases.items():
        ways = {"union all": union, "prefetch_related": plain}
        runs = {label: [] for label in ways}
        for _ in range(RUNS):  # interleaved, so that a change in the machine's load hits both ways alike
            for label, load in ways.items():
                runs[label].append(run(load, fetch, public_only))
        reset_queries()
        figures = {
            label: (done[0][0], statistics.median(r[1] for r in done) * 1000, done[0][2])
            for label, done in runs.items()
        }
        assert figures["union all"][2] == figures["prefetch_related"][2], "both ways must lay out the same parts"
        for label, (queries, ms, _text) in figures.items():
            print(f"  {name:<45} {label:<17} {queries:>3} queries {ms:8.2f} ms")


if __name__ == "__main__":
    main()
