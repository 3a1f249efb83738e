"""Settings come from the environment and fail loudly on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROD = {
    "DJANGO_SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "kib.example.org",
    "DATABASE_URL": "postgres://kib:secret@localhost/kib",
}


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIB_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be one of"),
        ({k: v for k, v in PROD.items() if k != "DJANGO_SECRET_KEY"}, "DJANGO_SECRET_KEY must be set"),
        ({k: v for k, v in PROD.items() if k != "DJANGO_ALLOWED_HOSTS"}, "DJANGO_ALLOWED_HOSTS must be set"),
        ({k: v for k, v in PROD.items() if k != "DATABASE_URL"}, "DATABASE_URL must be set"),
        (PROD | {"DATABASE_URL": "nonsense://x"}, "DATABASE_URL is not a valid database URL"),
    ],
)
def test_a_bad_or_missing_setting_stops_start_up_with_a_clear_message(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_debug_without_anything_set_uses_the_sqlite_file():
    result = manage("diffsettings", "--all", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3" in result.stdout
