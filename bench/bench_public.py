"""Benchmark of the public site as production serves it (run by `make bench`).

Starts gunicorn with whitenoise on loopback under production settings (DEBUG off) on a
throwaway database with the demo (a temporary SQLite file, or the throwaway PostgreSQL of
``tools/with-postgres``), then measures with wrk, in the same run:

- HTML pages (home, a theme page, the tracker with filters, search results across every edition)
  against ``/ping``, the trivial view; search results are never cached, so that figure is uncached;
- the stored 2024 PDF (size and SHA-256 checked before it is served, the hash once per file)
  against a static file of the same bytes served by whitenoise; and the same download through
  the whole middleware stack to the plain view (``bench/settings_plain_download.py``, a second
  gunicorn without ``PdfDownloadMiddleware``), to show what that middleware is worth.

Prints requests/s, p95 latency and the ratios with their goals (HTML >= 0.5 of the trivial
view, PDF >= 0.9 of the static file). Every run is bounded (``--seconds`` per URL, 8 connections)
and nothing listens beyond 127.0.0.1. Exits non-zero when a response is not 2xx.

    .venv/bin/python bench/bench_public.py [--seconds 5] [--connections 8]
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
P95_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("KIB p95_us=%d requests=%d non2xx=%d errors=%d\\n", latency:percentile(95),
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""
# wrk sends what the TLS proxy in front of gunicorn would add; SECURE_SSL_REDIRECT stays on.
HTTPS_HEADER = "X-Forwarded-Proto: https"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs):
    subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def prepare(env, workdir):
    print("Preparing: migrate, demo, published PDF, collectstatic …", flush=True)
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "load_demo", "-v0"], env)
    # The PDF engineer's load_demo builds the 2024 PDF; build it here if that has not happened.
    run(
        [
            *manage,
            "shell",
            "-c",
            "from kib.models import Edition\n"
            "from kib.publication.models import PublishedPdf\n"
            "from kib.publication.services import build_published_pdf_now\n"
            "edition = Edition.objects.published().get(year=2024)\n"
            "PublishedPdf.objects.current().filter(edition=edition).first() or build_published_pdf_now(edition)",
        ],
        env,
        stdout=subprocess.DEVNULL,
    )
    run([*manage, "collectstatic", "--noinput", "-v0"], env)


def start_server(env, port, workers, settings_module=None):
    args = [
        GUNICORN,
        "kib.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--access-logfile",
        "-" if os.environ.get("KIB_BENCH_ACCESS_LOG") else "/dev/null",
        "--log-level",
        "warning",
    ]
    if settings_module:
        env = {**env, "DJANGO_SETTINGS_MODULE": settings_module}
    server = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(f"http://127.0.0.1:{port}/ping")
            return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer on /ping within 60 s")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def fetch(url):
    request = urllib.request.Request(url, headers=dict([HTTPS_HEADER.split(": ")]))
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def wrk(url, seconds, connections, script):
    args = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-H",
        HTTPS_HEADER,
        "-s",
        script,
        url,
    ]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    stats = dict(re.findall(r"(\w+)=(\d+)", out.split("KIB", 1)[1]))
    if int(stats["non2xx"]) or int(stats["errors"]):
        raise SystemExit(f"{url}: {stats['non2xx']} non-2xx responses, {stats['errors']} socket errors\n{out}")
    return rps, int(stats["p95_us"]) / 1000


def interleaved(base, targets, options, script, rounds=3):
    """Each target measured ``rounds`` times, in turns; the best run of each."""
    best = {}
    for _ in range(rounds):
        for name, path in targets.items():
            rps, p95 = wrk(base + path, options.seconds, options.connections, script)
            if name not in best or rps > best[name][0]:
                best[name] = (rps, p95)
    return best


IN_PROCESS = """
import io, os, sys, time, cProfile, pstats
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kib.settings")
from django.core.wsgi import get_wsgi_application

app = get_wsgi_application()


class Wrapper:  # as gunicorn's sendfile: the file is handed over, not read in Python
    def __init__(self, filelike, block_size=8192):
        self.filelike = filelike

    def __iter__(self):
        return iter(())

    def close(self):
        self.filelike.close()


def call(path):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.file_wrapper": Wrapper,
    }
    status = []
    body = app(environ, lambda s, h, exc=None: status.append(s))
    for _ in body:
        pass
    body.close()
    assert status[0].startswith("200"), (path, status)


paths = {"PDF download": sys.argv[1], "static twin": sys.argv[2]}
for path in paths.values():
    call(path)
N = 1000
best = {}
for _round in range(15):
    for name, path in paths.items():
        started = time.process_time()
        for _ in range(N):
            call(path)
        per = (time.process_time() - started) / N * 1e6
        best[name] = min(best.get(name, per), per)
for name, per in best.items():
    print(f"in process: {name:14} {per:7.1f} us CPU per request (best of 15 x {N}, interleaved)")
print(f"in process: ratio {best['static twin'] / best['PDF download']:.2f} (static twin time / download time)")
profile = cProfile.Profile()
profile.enable()
for _ in range(N):
    call(paths["PDF download"])
profile.disable()
pstats.Stats(profile).sort_stats("tottime").print_stats(18)
"""


def in_process(env, pdf_path, twin_path):
    """The CPU cost of one download and one static-twin request through the WSGI app, without a socket.

    CPU time of this process (``time.process_time``): on a shared machine it moves far less with the
    neighbours' load than requests per second do. Without gunicorn and the socket, which cost both the
    same, the ratio is the strictest view of what the download adds.
    """
    subprocess.run([PYTHON, "-c", IN_PROCESS, pdf_path, twin_path], cwd=ROOT, env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=max(2, min(4, os.cpu_count() or 2)))
    parser.add_argument(
        "--download-only",
        action="store_true",
        help="measure only the PDF download against its static twin (no pages, no plain-view server)",
    )
    parser.add_argument(
        "--in-process", action="store_true", help="with --download-only: also time and profile the WSGI app itself"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure the download pair this many times on one prepared demo"
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run tools/ensure-wrk (make bench does).")

    workdir = Path(tempfile.mkdtemp(prefix="kib-bench-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KIB_"))}
    if not os.environ.get("KIB_PG_DIR"):  # not inside tools/with-postgres: a throwaway SQLite file
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
    same_size = workdir / "static" / "bench" / "same-size-as-the-pdf.pdf"
    try:
        prepare(env, workdir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        pdf_files = sorted((workdir / "media").rglob("*.pdf"))
        if pdf_files:  # whitenoise serves what is in STATIC_ROOT when it starts
            same_size.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pdf_files[-1], same_size)
        server = start_server(env, port, options.workers)
        home = fetch(base + "/")[2].decode()
        pdf_link = re.search(r'class="download" href="([^"]+)"', home)
        targets = {
            "trivial view /ping": "/ping",
            "home": "/",
            "theme page": "/editie/2024/migratie/",
            "tracker with filters": "/aanbevelingen/?thema=8&blinde_vlek=ja&editie=2024",
            "search (uncached)": "/zoeken/?q=wachtlijsten+jeugdzorg",
            "static file (site.css)": re.search(r'href="(/static/kib/site[^"]*\.css)"', home)[1],
        }
        if pdf_link and same_size.exists():
            targets["PDF download"] = pdf_link[1]
            targets["static file, same bytes as the PDF"] = "/static/bench/same-size-as-the-pdf.pdf"
        else:
            print("No published PDF on the home page: PDF figures left out.")
        for path in targets.values():  # warm the page cache and check every answer once
            status, headers, body = fetch(base + path)
            assert status == 200, (path, status)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=workdir, delete=False) as script:
            script.write(P95_SCRIPT)
        results = {}
        pdf_pair = ("PDF download", "static file, same bytes as the PDF")
        for name, path in targets.items():
            if name not in pdf_pair and not options.download_only:
                results[name] = wrk(base + path, options.seconds, options.connections, script.name)
        if options.download_only and "PDF download" not in targets:
            raise SystemExit("No published PDF: nothing to measure.")
        if options.download_only:
            pair = {name: targets[name] for name in pdf_pair}
            if options.in_process:
                in_process(env, *pair.values())
            for i in range(options.repeat):
                best = interleaved(base, pair, options, script.name)
                load = os.getloadavg()[0]
                ratio = best["PDF download"][0] / best["static file, same bytes as the PDF"][0]
                print(
                    f"run {i + 1}: PDF download {best['PDF download'][0]:.0f} req/s, static twin "
                    f"{best['static file, same bytes as the PDF'][0]:.0f} req/s: ratio {ratio:.2f} (load {load:.2f})",
                    flush=True,
                )
            return
        if "PDF download" in targets:
            # The download and its static twin, in turns, best of three: on a busy machine a single run
            # of each measures the neighbours more than the code.
            pair = {name: targets[name] for name in pdf_pair}
            results.update(interleaved(base, pair, options, script.name))
            stop_server(server)
            server = start_server(env, port, options.workers, "bench.settings_plain_download")
            assert fetch(base + targets["PDF download"])[0] == 200
            plain = interleaved(base, pair, options, script.name)
            results["PDF download, whole stack (plain view)"] = plain["PDF download"]
            results["static file, beside the whole stack"] = plain["static file, same bytes as the PDF"]
        report(results, options, env)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


def report(results, options, env):
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(
        f"\nPublic site under gunicorn ({options.workers} sync workers) + whitenoise, DEBUG off, {database}; "
        f"wrk {options.connections} connections, {options.seconds} s per URL on 127.0.0.1"
    )
    print(f"{'':38} {'req/s':>9} {'p95 ms':>8}")
    for name, (rps, p95) in results.items():
        print(f"{name:38} {rps:9.0f} {p95:8.1f}")
    trivial = results["trivial view /ping"][0]
    print("\nRatios (goal):")
    for name in ("home", "theme page", "tracker with filters", "search (uncached)"):
        ratio = results[name][0] / trivial
        print(f"  {name:34} {ratio:5.2f} of the trivial view (>= 0.5) {'met' if ratio >= 0.5 else 'MISSED'}")
    if "PDF download" in results:
        ratio = results["PDF download"][0] / results["static file, same bytes as the PDF"][0]
        print(
            f"  {'PDF download':34} {ratio:5.2f} of the same static file (>= 0.9) {'met' if ratio >= 0.9 else 'MISSED'}"
        )
        plain = results.get("PDF download, whole stack (plain view)")
        if plain:
            twin = results["static file, beside the whole stack"][0]
            print(
                f"  {'PDF download, whole stack':34} {plain[0] / twin:5.2f} of the same static file (>= 0.9) "
                f"{'met' if plain[0] / twin >= 0.9 else 'MISSED'}"
            )


if __name__ == "__main__":
    main()
