"""Benchmark: the instructions each public page costs, demo against grown, counted rather than timed.

On a shared machine the time a request takes moves with the neighbours: the CPU time the same unchanged
page costs has moved by 15% between two runs minutes apart, and by 2× between two days. The number of
instructions the processor carries out for it hardly does: the same page on the same data counts the
same to within about 1% (the tracker, unchanged: 119.4 and 120.0 M), a few percent on the smallest
answers, the file downloads (6–7 M), where a check of the content version that depends on the clock
may or may not read its file. This benchmark counts them with valgrind's cachegrind (about 30×
slower than running plainly, so each page is requested only a few times): for each public page of
``bench_growth.py``, on the demo and on the grown set (the same databases, ``--workdir`` to reuse them),
a process that warms up with ``--warm`` requests and then makes ``--requests`` more, less one that makes
none; the difference per request is the page's cost. Uncached (``bench/settings_uncached.py``), through
Django's test client, as in ``bench_growth.py``. ``--against REF`` counts the grown set's pages with the
code of another commit as well (a temporary worktree), for before and after in one run.

Issue 16's goal for every public page, within 1.3× of the demo, is judged on the ratio of the counts.
Skipped, with a message, where valgrind is not installed. Figures only, no pass/fail.

    .venv/bin/python bench/bench_instructions.py [--workdir DIR] [--requests 4] [--against REF] [--pages NAME,…]
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_growth import PY, ROOT, UNCACHED_SETTINGS, databases, public_pages, subjects  # noqa: E402

GOAL = 1.3  # grown/demo of every public page (issue 16)


def child(url, warm, requests):
    """In the measured process: ``warm`` requests of ``url``, then ``requests`` more (each must answer 200)."""
    sys.path.insert(0, os.getcwd())  # the code of the tree it runs in (``--against``: the other commit's)
    os.environ["DJANGO_SETTINGS_MODULE"] = UNCACHED_SETTINGS
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="localhost")
    for _ in range(warm + requests):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")


def count(arguments, env, cwd):
    """The instructions (cachegrind's I refs) of ``python ARGUMENTS`` as a whole process."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", PY, *arguments]
    # The same hash seed in every process: dict and set layouts, and so the count, do not vary between runs.
    result = subprocess.run(command, env={**env, "PYTHONHASHSEED": "0"}, cwd=cwd, capture_output=True, text=True, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit(f"counting {arguments} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def instructions(env, code_root, url, warm, requests):
    """The instructions of a process that warms up with ``warm`` requests of ``url`` and then makes ``requests``."""
    arguments = [str(Path(__file__).resolve()), "--child", url, "--warm", str(warm), "--requests", str(requests)]
    return count(arguments, env, code_root)


def prime(env, code_root, url):
    """One plain request of ``url`` before anything is counted, so that what a first request leaves behind
    (a published edition's data file, made and stored when missing) is there for both counted processes:
    otherwise the process with requests, counted first, would make it in its warm-up and the one without
    would find it, and the difference would charge the build to every counted request (a fresh work folder
    once counted the open-data zip at 35 M on the demo and 835 M on the grown set, against 6–7 M)."""
    arguments = [PY, str(Path(__file__).resolve()), "--child", url, "--warm", "1", "--requests", "0"]
    subprocess.run(arguments, env={**env, "PYTHONHASHSEED": "0"}, cwd=code_root, check=True)


def per_request(env, code_root, url, options):
    """Millions of instructions one request of ``url`` costs: (warm + N requests) less (warm + none), over N."""
    with_requests = instructions(env, code_root, url, options.warm, options.requests)
    without = instructions(env, code_root, url, options.warm, 0)
    return (with_requests - without) / options.requests / 1e6


def pages_of(env):
    """{name: URL} of the public pages on the database of ``env``, as ``bench_growth.py`` chooses them."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        subprocess.run([PY, __file__, "--pages-to", out.name], env=env, cwd=ROOT, check=True)
        return json.loads(Path(out.name).read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="keep the two databases in this folder and reuse them on the next run")
    parser.add_argument("--requests", type=int, default=4, help="counted requests per page (default 4)")
    parser.add_argument("--warm", type=int, default=2, help="requests before them, in both processes (default 2)")
    parser.add_argument("--against", help="a commit whose code counts the grown set's pages too (before/after)")
    parser.add_argument("--pages", help="only these pages (names as printed, comma-separated)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pages-to", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child(options.child, options.warm, options.requests)
    if options.pages_to:
        os.environ["DJANGO_SETTINGS_MODULE"] = UNCACHED_SETTINGS
        import django

        django.setup()
        Path(options.pages_to).write_text(json.dumps(public_pages(subjects())))
        return None
    if not shutil.which("valgrind"):
        print("bench_instructions: valgrind is not installed (apt-get install valgrind); skipped.")
        return None
    work = Path(options.workdir or tempfile.mkdtemp(prefix="kib-bench-instructions-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    worktree = None
    try:
        demo_env, grown_env, database = databases(work, reuse=bool(options.workdir))
        urls = {"demo": pages_of(demo_env), "grown": pages_of(grown_env)}
        names = [name for name in urls["demo"] if name in urls["grown"]]
        if options.pages:
            names = [name for name in names if name in options.pages.split(",")]
        jobs = {(name, label): (env, ROOT) for name in names for label, env in (("demo", demo_env), ("grown", grown_env))}
        if options.against:
            worktree = Path(tempfile.mkdtemp(prefix="kib-bench-against-")) / "tree"
            subprocess.run(["git", "worktree", "add", "-q", "--detach", str(worktree), options.against], cwd=ROOT, check=True)
            jobs.update({(name, "before"): (grown_env, worktree) for name in names})
        print(f"Requesting each of the {len(jobs)} pages once first, plainly …", flush=True)
        for (name, label), (env, root) in jobs.items():
            prime(env, root, urls["demo" if label == "demo" else "grown"][name])
        print(f"Counting the instructions of {len(jobs)} pages under valgrind, two at a time …", flush=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
            futures = {
                key: pool.submit(per_request, env, root, urls["demo" if key[1] == "demo" else "grown"][key[0]], options)
                for key, (env, root) in jobs.items()
            }
            counts = {key: future.result() for key, future in futures.items()}
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
        if not options.workdir:
            shutil.rmtree(work, ignore_errors=True)
    report(counts, names, options, database)
    return None


def report(counts, names, options, database):
    before = options.against is not None
    print(
        f"\nInstructions per request, millions (valgrind cachegrind; {database}, production settings, public page cache off;"
        f" {options.requests} counted after {options.warm})"
    )
    header = f"{'':30} {'demo':>8} {'grown':>8} {'grown/demo':>10}  <= {GOAL}"
    if before:
        header += f"  {'grown before':>12} {'now/before':>10}"
    print(header)
    for name in names:
        demo, grown = counts[name, "demo"], counts[name, "grown"]
        line = f"{name:30} {demo:8.1f} {grown:8.1f} {grown / demo:10.2f}  {'met' if grown / demo <= GOAL else 'MISSED'}"
        if before:
            line += f"  {counts[name, 'before']:12.1f} {grown / counts[name, 'before']:10.2f}"
        print(line)
    if before:
        print(f"grown before: the grown set's pages with the code of {options.against}.")


if __name__ == "__main__":
    main()
