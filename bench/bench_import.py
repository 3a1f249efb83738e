"""Benchmark: a 50,000-row observation CSV through the import path vs ``bulk_create`` of the same rows.

Run by ``make bench`` (or ``.venv/bin/python bench/bench_import.py [--rows N]``); prints figures,
and fails only when the import itself goes wrong.
Works on a throwaway test database (SQLite file in a temporary folder, or ``test_…`` on the
server named by ``DATABASE_URL``), so it never touches real data.

"Import path" is what the admin runs after the editor confirms: ``read_table`` (decoding,
header checks) and ``ObservationResource.import_data`` (widgets, model validation,
duplicate and conflict checks, bulk writes with a history row per observation, the
import log), all in one transaction. The preview (dry run) is timed too. The baseline
parses the same CSV with the csv module and calls ``Observation.objects.bulk_create``.
Each of three rounds (``KIB_BENCH_RUNS``) times both paths (the machine may be busy with other work): the ratio
is the median of the rounds' ratios, the times are the fastest round's; peak memory is
measured with tracemalloc in a separate run of each (tracemalloc slows Python down, so
the timings come from runs without it). Results are printed and written
to ``bench-results/import.json``.
"""

import argparse
import csv
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kib.settings")
os.environ.setdefault("KIB_TESTING", "1")
os.environ.setdefault("KIB_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

TERRITORIES = ["NL", "CN", "BON", "STA", "SAB"]
COLUMNS = [
    "indicator",
    "periode",
    "gebied",
    "geslacht",
    "leeftijdsgroep",
    "uitsplitsing",
    "waarde",
    "vlag",
    "toelichting",
]


def make_csv(codes, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    n = 0
    for code in codes:
        for year in range(1990, 2025):
            for territory in TERRITORIES:
                for age in range(12):
                    if n == rows:
                        return buffer.getvalue().encode("utf-8")
                    flag = "voorlopig" if year == 2024 else ""
                    writer.writerow(
                        [code, str(year), territory, "", f"{age}-{age + 1} jaar", "", f"{n % 9973}.5", flag, ""]
                    )
                    n += 1
    raise SystemExit(f"not enough combinations for {rows} rows")


def clear():
    from indicators.models import ImportLog, Observation

    with transaction.atomic():
        Observation.objects.all()._raw_delete(Observation.objects.db)  # no signals: no "deleted" history rows
        Observation.history.all().delete()
        ImportLog.objects.all().delete()


def import_path(data, user, dry_run=False):
    from indicators.importing import read_table
    from indicators.resources import ObservationResource

    dataset = read_table(data, "csv")
    result = ObservationResource(user=user).import_data(dataset, dry_run=dry_run, file_name="bench.csv")
    if result.has_errors() or result.has_validation_errors():
        from indicators.resources import error_lines

        raise SystemExit("import failed: " + "; ".join(error_lines(result)[:5]))
    return result


def bulk_path(data, indicators):
    from indicators.models import Observation

    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader)
    objs = [
        Observation(
            indicator=indicators[code],
            period=period,
            territory=territory,
            sex=sex,
            age_group=age,
            breakdown=breakdown,
            value=Decimal(value),
            flag="provisional" if flag else "",
            note=note,
        )
        for code, period, territory, sex, age, breakdown, value, flag, note in reader
    ]
    with transaction.atomic():
        Observation.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def timed(fn):
    """(wall seconds, CPU seconds of this process — SQLite runs in-process, so its work counts)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def peak(fn):
    tracemalloc.start()
    fn()
    _current, high = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return high


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
        indicators = {
            f"bench-{i:03d}": Indicator.objects.create(theme=theme, code=f"bench-{i:03d}", name=f"Bench {i}")
            for i in range(1 + args.rows // (35 * len(TERRITORIES) * 12))
        }
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-123")
        data = make_csv(list(indicators), args.rows)

        # Alternating rounds: each round times both paths under the same load (other work may share
        # the machine); the ratio is the median of the rounds' ratios, the times the best round's.
        rounds = []
        for _round in range(args.repeat):
            bulk = timed(lambda: bulk_path(data, indicators))
            assert Observation.objects.count() == args.rows
            clear()
            preview = timed(lambda: import_path(data, user, dry_run=True))
            assert Observation.objects.count() == 0
            imported = timed(lambda: import_path(data, user))
            assert Observation.objects.count() == args.rows
            assert Observation.history.count() == args.rows, (Observation.history.count(), args.rows)
            clear()
            rounds.append({"bulk_create": bulk, "preview": preview, "import": imported})
        bulk_seconds = min(r["bulk_create"][0] for r in rounds)
        import_seconds = min(r["import"][0] for r in rounds)
        preview_seconds = min(r["preview"][0] for r in rounds)
        ratio = statistics.median(r["import"][0] / r["bulk_create"][0] for r in rounds)
        cpu_ratio = statistics.median(r["import"][1] / r["bulk_create"][1] for r in rounds)

        bulk_peak = peak(lambda: bulk_path(data, indicators))
        clear()
        import_peak = peak(lambda: import_path(data, user))
        clear()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()

    import resource

    results = {
        "rows": args.rows,
        "database": connection.vendor,
        "csv_bytes": len(data),
        "bulk_create_seconds": round(bulk_seconds, 2),
        "import_seconds": round(import_seconds, 2),
        "preview_seconds": round(preview_seconds, 2),
        "ratio_import_vs_bulk_create": round(ratio, 2),
        "ratio_cpu_time": round(cpu_ratio, 2),
        "rounds": [{k: [round(v, 2) for v in pair] for k, pair in r.items()} for r in rounds],
        "goal_ratio": 3,
        "bulk_create_peak_mib": round(bulk_peak / 2**20, 1),
        "import_peak_mib": round(import_peak / 2**20, 1),
        "process_max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "import.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"Import benchmark ({results['rows']} rows, {results['database']}):")
    print(
        f"  bulk_create            {results['bulk_create_seconds']:>7} s   peak {results['bulk_create_peak_mib']} MiB"
    )
    print(f"  import (confirm step)  {results['import_seconds']:>7} s   peak {results['import_peak_mib']} MiB")
    print(f"  preview (dry run)      {results['preview_seconds']:>7} s")
    ok = "met" if results["ratio_import_vs_bulk_create"] <= 3 else "NOT MET"
    print(
        f"  ratio import / bulk_create: {results['ratio_import_vs_bulk_create']} wall clock, "
        f"{results['ratio_cpu_time']} CPU time (goal <= 3: {ok})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
