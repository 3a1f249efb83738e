"""Benchmark of the printed report's quality (``make bench``): prints figures, asserts nothing.

On a throwaway SQLite database with the demo loaded, for the 2024 edition:

- ``manage.py build_pdf`` (render, WeasyPrint, finishing the tags) against ``weasyprint`` alone on
  the HTML that ``build_pdf --html`` wrote, both as fresh processes, best of N; the ratio (goal
  <= 1.1) and the peak memory of the build (goal < 300 MiB);
- the figures of ``bench/pdf_quality.py`` for the PDF built: pages, pages more than 45% empty,
  footnotes on the page of their call, hyphenation, heading order, untagged running content,
  alt text, tables, links and the contrast of every text against its background.

``KIB_BENCH_RUNS`` sets N (default 2).
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pdf_quality  # noqa: E402
from bench.bench_pdf import PY, RUNS, timed  # noqa: E402


def environment(work):
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
            "KIB_LOG_LEVEL": "WARNING",
        }
    )
    return env


def main():
    work = Path(tempfile.mkdtemp(prefix="kib-bench-quality-"))
    (work / "staticfiles").mkdir()
    env = environment(work)
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([PY, "manage.py", "load_demo", "-v0", "--no-pdf"], env=env, cwd=ROOT, check=True)
        pdf, html, alone = work / "build.pdf", work / "build.html", work / "alone.pdf"
        build_cmd = [PY, "manage.py", "build_pdf", "2024", "--output", str(pdf), "--html", str(html), "-v0"]
        weasy_cmd = [str(Path(PY).parent / "weasyprint"), "--pdf-variant", "pdf/ua-1", str(html), str(alone)]
        builds, alones = [], []
        for _ in range(RUNS):  # alternated, so both see the same load on the machine
            builds.append(timed(build_cmd, env))
            alones.append(timed(weasy_cmd, env))
        build_s, build_mem = min(b[0] for b in builds), max(b[1] for b in builds)
        alone_s, alone_mem = min(a[0] for a in alones), max(a[1] for a in alones)

        html_text = html.read_text(encoding="utf-8")
        from weasyprint import HTML

        document = HTML(string=html_text, base_url=str(ROOT / "static" / "report") + "/").render()
        report = pdf_quality.measure(pdf, html_text, document)

        print(f"PDF quality, 2024 demo edition (best of {RUNS} runs, fresh processes)")
        print(
            f"  build_pdf (render + WeasyPrint + tags)  {build_s:7.2f} s   peak memory {build_mem:6.0f} MiB (goal < 300)"
        )
        print(f"  weasyprint alone on --html              {alone_s:7.2f} s   peak memory {alone_mem:6.0f} MiB")
        print(f"  ratio build_pdf / weasyprint            {build_s / alone_s:7.2f}     (goal <= 1.1)")
        for line in pdf_quality.lines(report):
            print(f"  {line}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
