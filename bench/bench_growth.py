"""Benchmark: the demo against ten years of growth, side by side in one run (``make bench``).

Builds two throwaway databases (SQLite files, or two databases on the cluster of
``tools/with-postgres`` when run inside it) under production settings (DEBUG off, real caches
except the public page cache, which is switched off so every page is built): the demo
(``load_demo``: 2024 published, 2025 in preparation) and a copy grown with
``manage.py grow_demo`` (2025…2033 published through the workflow services, 2034 in
preparation, about 100,000 observations imported through the import path). Then, for
each data set in its own process, it times every public page and file, uncached, with the
Django test client (median of ``--repeat`` requests, the query count of one), the
edition dashboard, the chapter history list and change page, ``publish_edition`` on the
edition in preparation (rolled back) and the newest edition's PDF (``build_pdf`` as a
fresh process: wall time and peak memory). Prints both timings, the ratio grown/demo and
the query counts, and writes ``bench-results/growth.json``. Figures only, no pass/fail.

    .venv/bin/python bench/bench_growth.py [--repeat 7] [--rounds 3] [--no-pdf]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def environment(work, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIB_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="testserver,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        KIB_MEDIA_ROOT=str(work / "media"),
        KIB_STATIC_ROOT=str(work.parent / "static"),
        KIB_PDF_PREVIEW_ROOT=str(work / "previews"),
        KIB_PUBLIC_CACHE_DIR=str(work / "public-cache"),
        KIB_LOG_LEVEL="WARNING",
        KIB_OTP_REQUIRED="0",  # the staff pages are measured with a logged-in client, without the second factor
    )
    return env


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], env=env, cwd=ROOT, check=True)


def pdf_build(env, year, work):
    """Wall seconds and peak resident memory (MiB) of ``build_pdf YEAR`` as a fresh process."""
    output = work / f"pdf-{year}.pdf"
    started = time.perf_counter()
    process = subprocess.Popen(
        [PY, "manage.py", "build_pdf", str(year), "--output", str(output), "-v0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    error = process.stderr.read().decode()
    process.stderr.close()
    if status:
        raise SystemExit(f"build_pdf {year} failed:\n{error[-2000:]}")
    return {"ms": seconds * 1000, "peak_mib": usage.ru_maxrss / 1024, "bytes": output.stat().st_size}


class PostgresDatabases:
    """Inside ``tools/with-postgres``: two databases on its throwaway cluster, the grown one a copy of the demo."""

    def __init__(self):
        self.bin, self.host, self.user = os.environ["PG_BIN"], os.environ["PGHOST"], os.environ["PGUSER"]

    def urls(self):
        return [f"postgres://{self.user}@/{name}?host={self.host}" for name in ("kib_demo", "kib_grown")]

    def create(self, name, template=None):
        run = [f"{self.bin}/dropdb", "-h", self.host, "-U", self.user, "--if-exists", name]
        subprocess.run(run, check=True)
        create = [
            f"{self.bin}/createdb",
            "-h",
            self.host,
            "-U",
            self.user,
            *(["-T", template] if template else []),
            name,
        ]
        subprocess.run(create, check=True)

    def analyze(self, name):
        """Fresh planner statistics, as autovacuum gathers them within a minute of a bulk change in production:
        measured right after the growth, the planner took the grown tables for the demo's (a tracker query
        read every published chapter's links per result: 12 ms instead of 1)."""
        subprocess.run([f"{self.bin}/psql", "-h", self.host, "-U", self.user, "-d", name, "-q", "-c", "ANALYZE"], check=True)


# -- inside one Django process, on one data set ------------------------------------------

UNCACHED_SETTINGS = "bench.settings_uncached"  # production settings, the public page cache off: every page is built
SEARCH = "/zoeken/?q=jeugdzorg+wachtlijst"  # as bench_search.py; results from every edition, never cached


def subjects():
    """What the benchmark visits: the newest published edition and the one in preparation, the newest's chapter
    with the most figures, the indicator with the most public observations, the recommendation in most chapters."""
    from django.db.models import Count, Q

    from indicators.models import Indicator
    from kib.models import Edition
    from recommendations.models import Recommendation

    newest = Edition.objects.published().order_by("-year").first()
    return {
        "newest": newest,
        "preparing": Edition.objects.filter(state=Edition.State.PREPARATION).order_by("-year").first(),
        "chapter": newest.chapters.annotate(n=Count("figures")).order_by("-n", "theme__number").first(),
        "indicator": (
            Indicator.objects.published()
            .annotate(n=Count("observations", filter=Q(observations__public=True)))
            .order_by("-n", "code")
            .first()
        ),
        "recommendation": (
            Recommendation.objects.published().annotate(n=Count("chapter_links")).order_by("-n", "pk").first()
        ),
    }


def public_pages(visited):
    """{name: URL} of every public page and file the benchmarks time (``bench_growth_http.py`` too), downloads last."""
    year, indicator, recommendation = visited["newest"].year, visited["indicator"], visited["recommendation"]
    pages = {
        "home": "/",
        "edition page": f"/editie/{year}/",
        "chapter page (most figures)": f"/editie/{year}/{visited['chapter'].theme.slug}/",
        "indicator page (largest)": indicator.get_absolute_url(),
        "recommendation tracker": "/aanbevelingen/",
    }
    if recommendation is not None:
        pages["recommendation timeline"] = (
            f"/aanbevelingen/{recommendation.concluding_observations_id}/{recommendation.code}/"
        )
    pages["search"] = SEARCH
    pages["indicator CSV (largest)"] = f"/cijfers/{indicator.code}.csv"
    pages["edition open-data zip"] = f"/editie/{year}/open-data.zip"
    pages["edition CSV"] = f"/editie/{year}/cijfers.csv"
    return pages


def measure(repeat):
    """Every page and job on the database of this process's environment; returns {name: figures}."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = UNCACHED_SETTINGS
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from indicators.models import Observation
    from kib.demo.growth import Grower
    from kib.models import Edition
    from kib.workflow import notifications, services

    setup_test_environment()
    results = {}

    def timed(name, run, times=repeat):
        run()  # warm up (content types, templates)
        spent, cpu = [], []
        for _ in range(times):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                size = run()
                spent.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        results[name] = {
            "ms": statistics.median(spent),
            "cpu_ms": statistics.median(cpu),
            "queries": len(queries),
            "bytes": size,
        }

    def page(client, url, status=200, method="get", **headers):
        def run():
            response = getattr(client, method)(url, headers=headers)
            assert response.status_code == status, (url, response.status_code)
            return len(b"".join(response.streaming_content) if response.streaming else response.content)

        return run

    User = get_user_model()
    coordinator = User.objects.get(username="coordinator")
    visited = subjects()
    newest, preparing, chapter, indicator = (visited[k] for k in ("newest", "preparing", "chapter", "indicator"))
    anonymous = Client()
    for name, url in public_pages(visited).items():
        download = name in ("edition open-data zip", "edition CSV")  # the slowest: fewer requests
        timed(name, page(anonymous, url), max(3, repeat // 2) if download else repeat)
    # The same requests without the bytes: what a download costs besides its size (lookup, check, headers).
    timed("  indicator CSV, HEAD", page(anonymous, f"/cijfers/{indicator.code}.csv", method="head"))
    for name, path in (("open-data zip", "open-data.zip"), ("edition CSV", "cijfers.csv")):
        url = f"/editie/{newest.year}/{path}"
        etag = anonymous.head(url).get("ETag", "")
        if anonymous.get(url, headers={"if_none_match": etag}).status_code == 304:  # (an older tree has no 304)
            timed(f"  {name}, 304 (has it)", page(anonymous, url, status=304, if_none_match=etag))
    staff = Client()
    staff.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    timed("dashboard (coordinator)", page(staff, f"/admin/dashboard/{preparing.year}/"))
    editor = Grower().author_of(chapter)
    editor_client = Client()
    editor_client.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    timed("dashboard (editor)", page(editor_client, f"/admin/dashboard/{preparing.year}/"))
    draft = preparing.chapters.get(theme=chapter.theme)
    timed("chapter history list", page(staff, f"/admin/themes/chapter/{chapter.pk}/history/"))
    timed("chapter change page", page(staff, f"/admin/themes/chapter/{draft.pk}/change/"), max(3, repeat // 2))

    # publish_edition on the edition in preparation, every chapter approved first; rolled back.
    spent, counts = [], []
    with notifications.muted():
        for _ in range(max(3, repeat // 2)):
            with transaction.atomic():
                Grower().edit_and_approve(preparing)
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    services.publish_edition(
                        preparing, by=coordinator, reason="bench: overgenomen teksten niet bekeken."
                    )
                    spent.append((time.perf_counter() - started) * 1000)
                counts.append(len(queries))
                transaction.set_rollback(True)
            preparing.refresh_from_db()
    results["publish_edition"] = {"ms": statistics.median(spent), "queries": counts[-1], "bytes": None}
    shape = {
        "editions": Edition.objects.count(),
        "published": Edition.objects.published().count(),
        "chapters": newest.chapters.model.objects.count(),
        "observations": Observation.objects.count(),
        "public observations": Observation.objects.public().count(),
        "newest": newest.year,
    }
    return {"results": results, "shape": shape}


# -- the run ----------------------------------------------------------------------------


def databases(work, reuse):
    """The environments of the demo and of the grown set, built under ``work`` unless ``reuse`` finds them there.

    SQLite files, or inside ``tools/with-postgres`` two databases on its cluster (always built afresh).
    Returns (demo environment, grown environment, the database's name).
    """
    demo_db, grown_db = work / "demo.sqlite3", work / "grown.sqlite3"
    postgres = PostgresDatabases() if os.environ.get("KIB_PG_DIR") else None
    urls = postgres.urls() if postgres else [f"sqlite:///{demo_db}", f"sqlite:///{grown_db}"]
    demo_env, grown_env = environment(work / "demo", urls[0]), environment(work / "grown", urls[1])
    if postgres or not (reuse and grown_db.exists()):
        print("Preparing the demo (migrate, load_demo, collectstatic) …", flush=True)
        for db in (demo_db, grown_db):
            db.unlink(missing_ok=True)
        if postgres:
            postgres.create("kib_demo")
        manage({**demo_env, "DJANGO_DEBUG": "1"}, "migrate", "--noinput", "-v0")
        manage({**demo_env, "DJANGO_DEBUG": "1"}, "load_demo", "--no-pdf", "-v0")
        manage(demo_env, "collectstatic", "--noinput", "-v0")
        if postgres:
            postgres.create("kib_grown", template="kib_demo")
        else:
            shutil.copyfile(demo_db, grown_db)
        print("Growing a copy to 2034 (grow_demo) …", flush=True)
        started = time.perf_counter()
        manage(grown_env, "grow_demo", "--no-pdf", "-v0")
        print(f"  grown in {time.perf_counter() - started:.0f} s", flush=True)
        if postgres:
            for name in ("kib_demo", "kib_grown"):
                postgres.analyze(name)
    else:
        print(f"Reusing the databases in {work}; migrating them …", flush=True)
        for env in (demo_env, grown_env):
            manage(env, "migrate", "--noinput", "-v0")
    return demo_env, grown_env, "PostgreSQL" if postgres else "SQLite"


def report(demo, grown, database):
    print(
        f"\nGrowth benchmark ({database}, production settings, public page cache off, median of the runs, best round)"
    )
    for label, data in (("demo", demo), ("grown", grown)):
        shape = data["shape"]
        print(
            f"  {label:5}: {shape['editions']} editions ({shape['published']} published, newest {shape['newest']}), "
            f"{shape['chapters']} chapters, {shape['observations']:,} observations ({shape['public observations']:,} public)"
        )
    header = (
        f"{'':34} {'demo ms':>9} {'grown ms':>9} {'×':>6} {'queries':>9} {'grown KB':>9} {'grown req/s':>11}"
        f" {'ms/100 KB':>10} {'CPU ms demo/grown':>18} {'CPU ×':>6}"
    )
    print(header)
    for name, before in demo["results"].items():
        after = grown["results"].get(name)
        if after is None:
            continue
        ratio = after["ms"] / before["ms"] if before["ms"] else float("nan")
        queries = f"{before.get('queries', '')}/{after.get('queries', '')}" if "queries" in after else ""
        size = f"{after['bytes'] / 1024:.0f}" if after.get("bytes") else ""
        rate = f"{1000 / after['ms']:.0f}" if name not in ("publish_edition", "PDF (newest edition)") else ""
        # Downloads: the cost of each extra 100 KB between the demo's file and the grown one.
        per_100kb = ""
        if any(word in name for word in ("CSV", "zip")) and after.get("bytes") and before.get("bytes"):
            extra = (after["bytes"] - before["bytes"]) / 102400
            per_100kb = f"{(after['ms'] - before['ms']) / extra:.2f}" if extra > 0.1 else ""
        cpu, cpu_ratio = "", ""
        if "cpu_ms" in before and "cpu_ms" in after:  # this process's CPU: what the load of other processes leaves out
            cpu = f"{before['cpu_ms']:.1f}/{after['cpu_ms']:.1f}"
            cpu_ratio = f"{after['cpu_ms'] / before['cpu_ms']:.2f}" if before["cpu_ms"] else ""
        print(
            f"{name:34} {before['ms']:9.1f} {after['ms']:9.1f} {ratio:6.2f} {queries:>9} {size:>9} {rate:>11}"
            f" {per_100kb:>10} {cpu:>18} {cpu_ratio:>6}"
        )
        if "peak_mib" in after:
            print(f"{'  peak memory MiB':34} {before['peak_mib']:9.0f} {after['peak_mib']:9.0f}")
    print("Goals: every public page and file within 1.3× of the demo; publish_edition <= 200 ms; dashboard <= 60 ms;")
    print("       PDF within 1.2× of the demo and under 300 MiB. (req/s here: one process, in-process client.)")
    print("       CPU: this process's own CPU time (with SQLite the database's work too), less moved by other load.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("KIB_BENCH_RUNS", "7")))
    parser.add_argument("--no-pdf", action="store_true", help="leave out the two PDF builds (about half a minute)")
    parser.add_argument("--rounds", type=int, default=1, help="demo and grown take turns this often; best of them")
    parser.add_argument("--workdir", help="keep the two databases in this folder and reuse them on the next run")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child: measure this process's database
    options = parser.parse_args()
    if options.measure:
        json.dump(measure(options.repeat), open(options.measure, "w"))  # noqa: SIM115
        return
    work = Path(options.workdir or tempfile.mkdtemp(prefix="kib-bench-growth-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        demo_env, grown_env, database = databases(work, reuse=bool(options.workdir))
        measured = {}
        # Demo and grown take turns (``--rounds``); each figure is the best median of its rounds, so a
        # burst of load on a shared machine during one data set's turn does not pass for growth.
        for turn in range(options.rounds):
            for label, env in (("demo", demo_env), ("grown", grown_env)):
                print(f"Measuring the {label} (round {turn + 1} of {options.rounds}) …", flush=True)
                out = work / f"{label}.json"
                subprocess.run(
                    [PY, __file__, "--measure", str(out), "--repeat", str(options.repeat)],
                    env=env,
                    cwd=ROOT,
                    check=True,
                )
                figures = json.loads(out.read_text())
                if label in measured:
                    best = measured[label]["results"]
                    for name, result in figures["results"].items():
                        if result.get("cpu_ms", result["ms"]) < best[name].get("cpu_ms", best[name]["ms"]):
                            best[name] = result
                else:
                    measured[label] = figures
        for label, env in (("demo", demo_env), ("grown", grown_env)):
            if not options.no_pdf:
                measured[label]["results"]["PDF (newest edition)"] = pdf_build(
                    env, measured[label]["shape"]["newest"], work
                )
        report(measured["demo"], measured["grown"], database)
        results = ROOT / "bench-results"
        results.mkdir(exist_ok=True)
        (results / "growth.json").write_text(json.dumps(measured, indent=2) + "\n")
    finally:
        if not options.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
