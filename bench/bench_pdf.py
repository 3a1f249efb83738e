"""Benchmark of the yearly PDF (``make bench``): prints figures, asserts nothing.

On a throwaway SQLite database with the demo loaded, for the full 2024 edition:

- ``manage.py build_pdf`` against ``weasyprint`` alone on the HTML that ``build_pdf --html``
  wrote (both as fresh processes, best of N), and their ratio (goal <= 1.15);
- pages, file size, peak memory of the build (largest resident set of the process tree);
- database queries while rendering one chapter and all ten (goal: constant, <= 50), and
  for a whole published build (render, store, record);
- serving the stored PDF 100 times against a static file of the same size (goal ratio <= 1.2).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RUNS = int(os.environ.get("KIB_BENCH_RUNS", "2"))
REQUESTS = 100


def timed(cmd, env):
    """Wall time and peak RSS (MiB) of ``cmd`` and everything it waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def main():
    work = Path(tempfile.mkdtemp(prefix="kib-bench-"))
    (work / "staticfiles").mkdir()
    # Production settings (DEBUG off, real caches), on a throwaway SQLite database and media folder.
    env = {k: v for k, v in os.environ.items() if k not in ("KIB_TESTING", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "KIB_MEDIA_ROOT": str(work / "media"),
            "KIB_STATIC_ROOT": str(work / "staticfiles"),
            "KIB_PDF_PREVIEW_ROOT": str(work / "previews"),
            "KIB_PUBLIC_CACHE_DIR": str(work / "public-cache"),
            "KIB_BENCH_STATIC": str(work / "static"),
            "KIB_LOG_LEVEL": "WARNING",
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # TLS ends at the proxy in front; the test client speaks HTTP
        }
    )
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([PY, "manage.py", "load_demo", "-v0", "--no-pdf"], env=env, cwd=ROOT, check=True)
        pdf, html, alone = work / "build.pdf", work / "build.html", work / "alone.pdf"
        build_cmd = [PY, "manage.py", "build_pdf", "2024", "--output", str(pdf), "--html", str(html), "-v0"]
        weasy_cmd = [str(Path(PY).parent / "weasyprint"), "--pdf-variant", "pdf/ua-1", str(html), str(alone)]
        builds = [timed(build_cmd, env) for _ in range(RUNS)]
        alones = [timed(weasy_cmd, env) for _ in range(RUNS)]
        build_s, build_mem = min(b[0] for b in builds), max(b[1] for b in builds)
        alone_s, alone_mem = min(a[0] for a in alones), max(a[1] for a in alones)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        alone_info = subprocess.run(["pdfinfo", str(alone)], capture_output=True, text=True, check=True).stdout
        alone_pages = next(line.split()[-1] for line in alone_info.splitlines() if line.startswith("Pages:"))

        print(f"PDF benchmark, 2024 demo edition (best of {RUNS} runs, fresh processes)")
        print(f"  build_pdf (render + WeasyPrint)  {build_s:7.2f} s   peak memory {build_mem:6.0f} MiB")
        print(f"  weasyprint alone on --html       {alone_s:7.2f} s   peak memory {alone_mem:6.0f} MiB")
        print(f"  ratio build_pdf / weasyprint     {build_s / alone_s:7.2f}     (goal <= 1.15)")
        print(
            f"  pages {pages} (weasyprint alone: {alone_pages}), size {pdf.stat().st_size / 1024:.0f} kB, "
            f"HTML {html.stat().st_size / 1024:.0f} kB"
        )

        in_django(env, work, pdf.stat().st_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def in_django(env, work, size):
    """Query counts and serving times, measured inside one Django process."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kib.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from kib.models import Edition
    from kib.publication.exporter import EditionPdfExporter
    from kib.publication.services import build_published_pdf_now

    setup_test_environment()
    edition = Edition.objects.get(year=2024)
    chapter = edition.chapters.get(theme__number=4)
    EditionPdfExporter(edition, chapter=chapter).render_html()  # warm the content-type cache
    with CaptureQueriesContext(connection) as one:
        EditionPdfExporter(edition, chapter=chapter).render_html()
    with CaptureQueriesContext(connection) as ten:
        EditionPdfExporter(edition).render_html()
    with CaptureQueriesContext(connection) as whole:
        stored = build_published_pdf_now(edition)
    print(
        f"  queries: render 1 chapter {len(one)}, all 10 chapters {len(ten)} (goal: constant, <= 50); "
        f"whole published build incl. storing {len(whole)}"
    )

    static_dir = work / "static"
    static_dir.mkdir()
    (static_dir / "same-size.pdf").write_bytes(os.urandom(stored.size))
    client = Client()
    with override_settings(ROOT_URLCONF="bench.urls"):
        ours = serve_many(client, "/editie/2024/pdf/")
        plain = serve_many(client, "/bench-static/same-size.pdf")
    print(
        f"  serve stored PDF x{REQUESTS}: {ours * 1000:.0f} ms; static file of the same size "
        f"({stored.size / 1024:.0f} kB): {plain * 1000:.0f} ms; ratio {ours / plain:.2f} (goal <= 1.2)"
    )


def serve_many(client, url):
    best = None
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(REQUESTS):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.get("Location"))
            b"".join(response.streaming_content)
            response.close()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


if __name__ == "__main__":
    main()
