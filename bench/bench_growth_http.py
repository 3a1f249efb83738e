"""Benchmark: the public pages of the demo and of ten years of growth over HTTP, as production serves them.

Builds (or, with ``--workdir``, reuses) the two databases of ``bench_growth.py``: the demo and the
grown set, SQLite files or, inside ``tools/with-postgres``, two databases on its cluster. Serves each
with its own gunicorn on loopback (``--workers`` sync workers, production settings, DEBUG off, the
public page cache off: ``bench/settings_uncached.py``, so every page is built) and measures with wrk,
in turns (page after page, demo then grown, ``--rounds`` times, the best run of each), every public
page and file ``bench_growth.py`` times, plus ``/ping``: requests/s and p95 latency of both, the ratio
grown/demo, and issue 16's goal, each page >= 100 req/s on the grown set with 2 workers. On a shared
machine those move with the neighbours' load, so each URL is also requested one after another for
``--cpu-seconds`` (in turns too, best of the rounds) and the CPU time the server spent on it is read
from /proc (Linux): the gunicorn workers' and, on PostgreSQL, the database server's processes'. That
gives CPU ms per request and what 2 cores could serve if the server had them to itself (the goal
judged on that too). Figures only, no pass/fail exit; an answer other than 200 (checked for every
request outside wrk, every non-2xx inside) stops the run.

    .venv/bin/python bench/bench_growth_http.py [--workdir DIR] [--seconds 3] [--rounds 2] [--cpu-seconds 1]
    tools/with-postgres .venv/bin/python bench/bench_growth_http.py --workdir DIR
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_growth import PY, ROOT, UNCACHED_SETTINGS, databases, public_pages, subjects  # noqa: E402
from bench.bench_public import HTTPS_HEADER, P95_SCRIPT, free_port, interleaved, start_server, stop_server  # noqa: E402

GOAL = 100  # req/s of each public page on the grown set, 2 gunicorn workers on the 2-core machine (issue 16)
LABELS = ("demo", "grown")


def pages_of(env, work):
    """{name: path} of the public pages on the database of ``env``, chosen as ``bench_growth.py`` chooses them."""
    out = work / "pages.json"
    subprocess.run([PY, __file__, "--pages", str(out)], env=env, cwd=ROOT, check=True)
    return {"/ping": "/ping", **json.loads(out.read_text())}


def size_of(url):
    """The size of the body of one GET of ``url``; stops the run unless the answer is 200 (no redirect followed)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=60)
    try:
        connection.request(
            "GET", url.removeprefix(f"{parts.scheme}://{parts.netloc}"), headers=dict([HTTPS_HEADER.split(": ")])
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}, not 200:\n{body[:2000].decode(errors='replace')}")
    return len(body)


def children_cpu(pid):
    """CPU seconds spent so far by the child processes of ``pid`` (/proc, Linux): every thread of the live ones,
    and the ended ones that ``pid`` has waited for (its cutime and cstime), such as a database backend that closed."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    seconds = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError):  # ended since the list was read: counted at the next reading
            for task in Path(f"/proc/{child}/task").glob("*/schedstat"):
                seconds += int(task.read_text().split()[0]) / 1e9
    return seconds


def server_cpu(servers):
    """CPU seconds of the gunicorn workers and, inside ``tools/with-postgres``, of the database's processes."""
    pids = [server.pid for server in servers]
    if os.environ.get("KIB_PG_DIR"):  # the throwaway cluster serves this benchmark only
        pids.append(int((Path(os.environ["KIB_PG_DIR"]) / "data" / "postmaster.pid").read_text().split()[0]))
    return sum(children_cpu(pid) for pid in pids)


def cpu_per_request(targets, servers, options):
    """{target: CPU ms per request}: each URL requested one after another for ``--cpu-seconds``, in turns."""
    best = {}
    for _ in range(options.rounds):
        for target, url in targets.items():
            count, started, cpu = 0, time.monotonic(), server_cpu(servers)
            while count < 3 or time.monotonic() - started < options.cpu_seconds:
                size_of(url)
                count += 1
            spent = (server_cpu(servers) - cpu) * 1000 / count
            best[target] = min(best.get(target, spent), spent)
    return best


def report(best, cpu, sizes, pages, options, database, loads):
    print(
        f"\nPublic pages over HTTP, demo against grown ({database}): gunicorn {options.workers} sync workers each, "
        f"production settings, public page cache off;\nwrk {options.connections} connections, {options.seconds} s "
        f"per URL, in turns, best of {options.rounds} round(s); load average {loads[0]:.2f} before, "
        f"{loads[1]:.2f} after ({os.cpu_count()} cores, shared with wrk)"
    )
    cores = min(options.workers, os.cpu_count())
    print(
        f"{'':28} {'demo req/s':>10} {'p95 ms':>8} {'grown req/s':>11} {'p95 ms':>8} {'grown/demo':>10}"
        f" {'KB demo/grown':>14} {'CPU ms demo/grown':>18} {'CPU req/s grown':>15}  >= {GOAL} req/s grown: wrk, CPU"
    )
    for name in pages:
        (demo, demo_p95), (grown, grown_p95) = best[name, "demo"], best[name, "grown"]
        ratio = f"{grown / demo:10.2f}" if demo else f"{'':>10}"
        kb = f"{sizes[name, 'demo'] / 1024:.0f}/{sizes[name, 'grown'] / 1024:.0f}"
        cpu_ms = f"{cpu[name, 'demo']:.1f}/{cpu[name, 'grown']:.1f}"
        capacity = cores * 1000 / cpu[name, "grown"] if cpu[name, "grown"] > 0 else float("inf")
        print(
            f"{name:28} {demo:10.0f} {demo_p95:8.1f} {grown:11.0f} {grown_p95:8.1f} {ratio} {kb:>14} {cpu_ms:>18}"
            f" {capacity:15.0f}  {'met' if grown >= GOAL else 'MISSED'}, {'met' if capacity >= GOAL else 'MISSED'}"
        )
    print(
        f"CPU: the server's own CPU time per request, one request after another ({options.cpu_seconds} s per URL); "
        f"CPU req/s = {cores} cores / that,\nwhat the server could answer with the machine to itself (wrk's own CPU "
        "and the network stack left out): less moved by the neighbours' load than wrk's req/s."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="duration of each wrk run (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="turns over every URL; the best run of each (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per data set (default 2)")
    parser.add_argument(
        "--cpu-seconds", type=float, default=1.0, help="sequential requests per URL for the CPU time (default 1)"
    )
    parser.add_argument("--workdir", help="keep the two databases in this folder and reuse them on the next run")
    parser.add_argument("--pages", help=argparse.SUPPRESS)  # child: write the pages of this process's database
    options = parser.parse_args()
    if options.pages:
        os.environ["DJANGO_SETTINGS_MODULE"] = UNCACHED_SETTINGS
        import django

        django.setup()
        Path(options.pages).write_text(json.dumps(public_pages(subjects())))
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run tools/ensure-wrk (make bench does).")
    work = Path(options.workdir or tempfile.mkdtemp(prefix="kib-bench-growth-http-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    servers = []
    try:
        demo_env, grown_env, database = databases(work, reuse=bool(options.workdir))
        paths, ports = {}, {}
        for label, env in zip(LABELS, (demo_env, grown_env), strict=True):
            # As production: only this host, the HTTPS redirect on (wrk sends the proxy's X-Forwarded-Proto).
            env = {key: value for key, value in env.items() if key != "DJANGO_SECURE_SSL_REDIRECT"}
            env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
            paths[label] = pages_of(env, work)
            ports[label] = free_port()
            servers.append(start_server(env, ports[label], options.workers, UNCACHED_SETTINGS))
        pages = [name for name in paths["demo"] if name in paths["grown"]]
        targets, sizes = {}, {}
        for name in pages:  # in turns: each page of the demo, then of the grown set
            for label in LABELS:
                targets[name, label] = f"http://127.0.0.1:{ports[label]}{paths[label][name]}"
                sizes[name, label] = size_of(targets[name, label])
        script = work / "p95.lua"
        script.write_text(P95_SCRIPT)
        print(f"Measuring {len(targets)} URLs (wrk), {options.seconds} s each, {options.rounds} round(s) …", flush=True)
        loads = [os.getloadavg()[0]]
        best = interleaved("", targets, options, str(script), rounds=options.rounds)
        print("Measuring the server's CPU time per request …", flush=True)
        cpu = cpu_per_request(targets, servers, options)
        loads.append(os.getloadavg()[0])
    finally:
        for server in servers:
            stop_server(server)
        if not options.workdir:
            shutil.rmtree(work, ignore_errors=True)
    report(best, cpu, sizes, pages, options, database, loads)
    print("URLs (demo | grown):")
    for name in pages:
        print(f"  {name:28} {paths['demo'][name]} | {paths['grown'][name]}")


if __name__ == "__main__":
    main()
