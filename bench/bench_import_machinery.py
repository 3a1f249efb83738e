"""Benchmark: does the import's own machinery earn its place against the plain way?

Two pieces of ``indicators/resources.py`` exist only for speed:

- the "created" history rows copied inside the database (``INSERT … SELECT`` into the history
  table) instead of django-simple-history's documented ``bulk_create_with_history``;
- the cyclic garbage collector paused during the import.

This times the confirmed import of the same CSV (``bench_import.make_csv``) four ways — as
is, with the library's ``bulk_create_with_history``, with the collector left on, and with
both plain — in alternating rounds on a throwaway test database (SQLite file, or ``test_…``
on the server named by ``DATABASE_URL``). Prints the figures and writes
``bench-results/import-machinery.json``; fails only when an import goes wrong.

    .venv/bin/python bench/bench_import_machinery.py [--rows 50000] [--repeat 3]
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_import  # noqa: E402  (sets up Django on the test settings)
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

ROOT = bench_import.ROOT


def plain_bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
    """The library's way: bulk_create_with_history builds one history object per new row."""
    from indicators.models import Observation

    if self.create_instances and not dry_run:
        try:
            with transaction.atomic(using=self.get_db_connection_name()):
                bulk_create_with_history(
                    self.create_instances,
                    Observation,
                    batch_size=batch_size or self._meta.batch_size,
                    default_user=self.user,
                    default_change_reason=self._history_reason(),
                )
        except Exception as exc:
            self.handle_import_error(result, exc, raise_errors)
    self.create_instances.clear()


class _GcLeftOn:
    """Stands in for the ``gc`` module inside ``indicators.resources``: the collector stays on."""

    @staticmethod
    def isenabled():
        return False  # so the import does not switch it on or off

    @staticmethod
    def disable():
        pass

    @staticmethod
    def enable():
        pass


@contextlib.contextmanager
def variant(history_sql, gc_paused):
    from indicators import resources

    with contextlib.ExitStack() as stack:
        if not history_sql:
            stack.enter_context(mock.patch.object(resources.ObservationResource, "bulk_create", plain_bulk_create))
        if not gc_paused:
            stack.enter_context(mock.patch.object(resources, "gc", _GcLeftOn))
        yield


VARIANTS = {
    "as is (SQL history, gc paused)": (True, True),
    "library history, gc paused": (False, True),
    "SQL history, gc on": (True, False),
    "plain (library history, gc on)": (False, False),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("KIB_BENCH_RUNS", "3")))
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    tmp = tempfile.TemporaryDirectory()
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from django.contrib.auth import get_user_model

        from indicators.models import Indicator, Observation
        from themes.models import Theme

        theme = Theme.objects.create(number=1, title="Benchmark", nav_label="Bench", slug="bench")
        per_indicator = 35 * len(bench_import.TERRITORIES) * 12
        codes = [f"bench-{i:03d}" for i in range(1 + args.rows // per_indicator)]
        for code in codes:
            Indicator.objects.create(theme=theme, code=code, name=code)
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-123")
        data = bench_import.make_csv(codes, args.rows)

        rounds = []
        for _round in range(args.repeat):
            times = {}
            for name, (history_sql, gc_paused) in VARIANTS.items():
                with variant(history_sql, gc_paused):
                    times[name] = bench_import.timed(lambda: bench_import.import_path(data, user))
                assert Observation.objects.count() == args.rows
                assert Observation.history.filter(history_type="+").count() == args.rows
                bench_import.clear()
            rounds.append(times)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()

    base = "as is (SQL history, gc paused)"
    results = {"rows": args.rows, "database": connection.vendor, "rounds": args.repeat, "variants": {}}
    for name in VARIANTS:
        results["variants"][name] = {
            "best_seconds": round(min(r[name][0] for r in rounds), 2),
            "median_ratio_to_as_is": round(statistics.median(r[name][0] / r[base][0] for r in rounds), 2),
            "best_cpu_seconds": round(min(r[name][1] for r in rounds), 2),
        }
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "import-machinery.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"Import machinery ({args.rows} rows, {connection.vendor}, best of {args.repeat}):")
    for name, figures in results["variants"].items():
        print(
            f"  {name:<34} {figures['best_seconds']:>7} s  (CPU {figures['best_cpu_seconds']} s)"
            f"  x{figures['median_ratio_to_as_is']} of as is"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
