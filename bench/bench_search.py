"""Benchmark of the public search against ``/ping``, in the same run (``make bench`` runs bench_public, which has it too).

Starts gunicorn (production settings, DEBUG off, sync workers) on a throwaway database with the
demo (a temporary SQLite file, or the PostgreSQL of ``tools/with-postgres``), then measures with
wrk, in turns, ``/ping`` and ``/zoeken/?q=jeugdzorg+wachtlijst`` (search pages are never cached):
requests/s, p95 latency, the query count of one search, and the ratio (goal >= 0.5 of ``/ping``).

    tools/with-postgres .venv/bin/python bench/bench_search.py [--seconds 5] [--rounds 3]
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_public import P95_SCRIPT, PYTHON, ROOT, free_port, interleaved, run, start_server, stop_server  # noqa: E402

SEARCH = "/zoeken/?q=jeugdzorg+wachtlijst"


def query_count(env):
    """The queries of one search page, counted in a Django process on the same database."""
    code = (
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext, setup_test_environment\n"
        "setup_test_environment()\n"
        "client = Client()\n"
        f"client.get({SEARCH!r}, secure=True)\n"
        "with CaptureQueriesContext(connection) as queries:\n"
        f"    response = client.get({SEARCH!r}, secure=True)\n"
        "assert response.status_code == 200, response.status_code\n"
        "print(len(queries), len(response.content))\n"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env={**env, "DJANGO_ALLOWED_HOSTS": "testserver"},
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return int(out[-2]), int(out[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="turns of /ping and the search; the best of each")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run tools/ensure-wrk (make bench does).")
    workdir = Path(tempfile.mkdtemp(prefix="kib-bench-search-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KIB_"))}
    if not os.environ.get("KIB_PG_DIR"):
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        KIB_MEDIA_ROOT=str(workdir / "media"),
        KIB_PUBLIC_CACHE_DIR=str(workdir / "public-cache"),
        KIB_PDF_PREVIEW_ROOT=str(workdir / "previews"),
        KIB_STATIC_ROOT=str(workdir / "static"),
        KIB_LOG_LEVEL="WARNING",
    )
    server = None
    try:
        print("Preparing: migrate, demo (without PDF), collectstatic …", flush=True)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PYTHON, "manage.py", "load_demo", "--no-pdf", "-v0"], env)
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        queries, size = query_count(env)
        port = free_port()
        server = start_server(env, port, options.workers)
        script = workdir / "p95.lua"
        script.write_text(P95_SCRIPT)
        targets = {"trivial view /ping": "/ping", "search (uncached)": SEARCH}
        results = interleaved(f"http://127.0.0.1:{port}", targets, options, str(script), rounds=options.rounds)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(
        f"\nSearch against /ping: gunicorn ({options.workers} sync workers), DEBUG off, {database}; "
        f"wrk {options.connections} connections, {options.seconds} s per URL, best of {options.rounds} turns"
    )
    print(f"{'':24} {'req/s':>9} {'p95 ms':>8}")
    for name, (rps, p95) in results.items():
        print(f"{name:24} {rps:9.0f} {p95:8.1f}")
    ratio = results["search (uncached)"][0] / results["trivial view /ping"][0]
    print(f"search {SEARCH}: {queries} queries, {size / 1024:.0f} KB")
    print(f"ratio search / ping: {ratio:.2f} (goal >= 0.5) {'met' if ratio >= 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
