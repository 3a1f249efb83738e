"""Benchmark: the edition archive (``export_edition`` / ``import_edition``) against the plain way.

The plain way is Django's ``dumpdata`` / ``loaddata``: it dumps whole tables (every edition,
accounts, history, PDF jobs), keeps the ids (so it cannot add an edition to a database that
has other content) and leaves the stored PDFs out. The archive holds one edition with its
files and gets new ids on import. This times both on the demo, for the question "take the
2024 edition to an empty database", on a throwaway test database. Prints the figures and
writes ``bench-results/archive.json``.

    .venv/bin/python bench/bench_archive.py
"""

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kib.settings")
os.environ.setdefault("KIB_TESTING", "1")
os.environ.setdefault("KIB_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main():
    db = settings.DATABASES["default"]
    tmp = tempfile.TemporaryDirectory()
    settings.MEDIA_ROOT = Path(tmp.name) / "media"
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from kib.models import Edition
        from kib.ops.archive.reading import import_edition
        from kib.ops.archive.writing import edition_fingerprint, export_edition

        call_command("load_demo", verbosity=0)
        edition = Edition.objects.get(year=2024)
        fingerprint = edition_fingerprint(edition)

        archive = io.BytesIO()
        export_seconds, manifest = timed(lambda: export_edition(edition, archive))
        dump = io.StringIO()
        dump_seconds, _ = timed(
            lambda: call_command(
                "dumpdata", "--natural-foreign", "-e", "contenttypes", "-e", "auth.permission", stdout=dump
            )
        )
        dump_path = Path(tmp.name) / "dump.json"
        dump_path.write_text(dump.getvalue())

        call_command("flush", "--noinput", verbosity=0)
        archive.seek(0)
        import_seconds, report = timed(lambda: import_edition(archive))
        restored = edition_fingerprint(Edition.objects.get(year=2024)) == fingerprint
        call_command("flush", "--noinput", verbosity=0)
        load_seconds, _ = timed(lambda: call_command("loaddata", str(dump_path), verbosity=0))
        editions_after_load = sorted(Edition.objects.values_list("year", flat=True))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()

    results = {
        "database": connection.vendor,
        "archive": {
            "rows": sum(manifest["counts"].values()),
            "files": len(manifest["files"]),
            "bytes": len(archive.getvalue()),
            "export_seconds": round(export_seconds, 2),
            "import_seconds": round(import_seconds, 2),
            "same_fingerprint_after_import": restored,
        },
        "dumpdata": {
            "bytes": len(dump.getvalue()),
            "dump_seconds": round(dump_seconds, 2),
            "load_seconds": round(load_seconds, 2),
            "editions_it_brings": editions_after_load,
            "files": 0,
        },
    }
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "archive.json").write_text(json.dumps(results, indent=2) + "\n")
    a, d = results["archive"], results["dumpdata"]
    print(f"Edition archive vs dumpdata/loaddata (demo, {connection.vendor}):")
    print(
        f"  archive of 2024   {a['rows']} rows + {a['files']} files, {a['bytes'] // 1024} kB, "
        f"export {a['export_seconds']} s, import {a['import_seconds']} s, fingerprint kept: {restored}"
    )
    print(
        f"  dumpdata (all)    {d['bytes'] // 1024} kB, no files, dump {d['dump_seconds']} s, "
        f"load {d['load_seconds']} s, brings editions {d['editions_it_brings']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
