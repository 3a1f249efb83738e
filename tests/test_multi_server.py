"""More than one web server (issue 14): the page cache in Redis with KIB_CACHE_URL, checked connections.

A content change made by one process (another web server, a worker) starts a new content version
that every other process sees within a second, through Redis (Debian's redis-server, started on a
Unix socket for the test).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import caches

from kib import public_cache

ROOT = Path(__file__).resolve().parents[1]


def shell(code, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIB_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=base | {"KIB_TESTING": "1"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kib_cache_url_puts_the_page_cache_in_redis():
    result = shell(
        "from django.conf import settings; "
        "print(sorted({c['BACKEND'] for c in settings.CACHES.values()}), settings.CACHES['public']['LOCATION'])",
        KIB_CACHE_URL="redis://10.0.0.5:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['django.core.cache.backends.redis.RedisCache']", "redis://10.0.0.5:6379/0"]


def test_without_kib_cache_url_one_machine_keeps_its_local_cache():
    result = shell("from django.conf import settings; print(settings.CACHES['public-version']['BACKEND'])")
    assert result.stdout.strip() == "django.core.cache.backends.dummy.DummyCache"  # under tests; a directory otherwise


def test_a_bad_kib_cache_url_stops_start_up_with_a_clear_message():
    result = shell("from django.conf import settings; settings.CACHES", KIB_CACHE_URL="memcached://x")
    assert result.returncode != 0
    assert "KIB_CACHE_URL must be a redis://, rediss:// or unix:// URL" in result.stderr


def test_kept_database_connections_are_checked_before_reuse():
    result = shell("from django.conf import settings; print(settings.DATABASES['default']['CONN_HEALTH_CHECKS'])")
    assert result.stdout.strip() == "True"


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is missing: apt-get install redis-server")
    sock = tmp_path / "redis.sock"
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        yield f"unix://{sock}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_change_made_by_another_process_shows_here_within_a_second(settings, redis_url):
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"kib-{alias}",
        }
        for alias in ("default", public_cache.PAGES, public_cache.VERSIONS)
    }
    before = public_cache.content_version()
    page = public_cache.cached(("home",), lambda: "<p>oude pagina</p>")
    assert public_cache.cached(("home",), lambda: "<p>nieuw</p>") == page  # served from Redis

    other = shell("from kib import public_cache; public_cache._new_version()", KIB_CACHE_URL=redis_url)
    assert other.returncode == 0, other.stderr
    deadline = time.monotonic() + 2
    while public_cache.content_version() == before:
        assert time.monotonic() < deadline, "the other process's new version did not arrive within 2 s"
        time.sleep(0.1)
    assert public_cache.cached(("home",), lambda: "<p>nieuw</p>") == "<p>nieuw</p>"
    caches[public_cache.PAGES].clear()
