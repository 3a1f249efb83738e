"""What the growth benchmarks rely on (``bench/bench_growth.py`` in process, ``bench/bench_growth_http.py`` over HTTP).

Both stop at the first answer other than 200 and take minutes to run; these tests catch, in
seconds, a page the benchmarks would no longer find on the demo, uncached settings that no
longer switch off the public page cache (or switch off more than it), and a server CPU time
that /proc no longer gives.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.bench_growth import UNCACHED_SETTINGS, public_pages, subjects
from bench.bench_growth_http import children_cpu

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_db")
def test_every_page_the_growth_benchmarks_visit_answers_200_on_the_demo(client):
    pages = public_pages(subjects())
    assert list(pages) == [
        "home",
        "edition page",
        "chapter page (most figures)",
        "indicator page (largest)",
        "recommendation tracker",
        "recommendation timeline",
        "search",
        "indicator CSV (largest)",
        "edition open-data zip",
        "edition CSV",
    ]
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)


def test_the_uncached_settings_switch_off_only_the_public_page_cache(tmp_path):
    code = (
        "import json, importlib\n"
        f"uncached = importlib.import_module({UNCACHED_SETTINGS!r})\n"
        "import kib.settings as production\n"
        "print(json.dumps([uncached.CACHES, production.CACHES, uncached.DEBUG]))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KIB_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        KIB_PUBLIC_CACHE_DIR=str(tmp_path / "public-cache"),
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    uncached, production, debug = json.loads(out.stdout)
    assert uncached["public"] == {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    assert production["public"]["BACKEND"] != uncached["public"]["BACKEND"]
    assert {alias: value for alias, value in uncached.items() if alias != "public"} == {
        alias: value for alias, value in production.items() if alias != "public"
    }
    assert debug is False


def test_the_cpu_time_of_a_child_process_is_counted_while_it_runs_and_after_it_ended():
    burn = "import sys, time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\nsys.stdin.read()"
    before = children_cpu(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", burn], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while children_cpu(os.getpid()) - before < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        running = children_cpu(os.getpid()) - before
    finally:
        child.communicate(b"")  # it ends and is waited for
    ended = children_cpu(os.getpid()) - before
    assert 0.3 <= running < 5
    assert running - 0.05 <= ended < 5  # the ended child's time is counted in clock ticks


def test_the_instruction_count_is_the_same_every_time_and_follows_the_work(tmp_path):
    """``bench/bench_instructions.py`` judges pages on counted instructions because a count does not move with
    the neighbours' load as times do: the same program counts the same, and twice the work counts that much more."""
    from bench.bench_instructions import count

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KIB_"))}
    once, again = count(["-c", "sum(range(300_000))"], env, tmp_path), count(["-c", "sum(range(300_000))"], env, tmp_path)
    twice = count(["-c", "sum(range(600_000))"], env, tmp_path)
    assert abs(once - again) <= once * 0.001, (once, again)
    per_step = (twice - once) / 300_000  # what one more step of the loop costs
    assert 10 < per_step < 1000, per_step
