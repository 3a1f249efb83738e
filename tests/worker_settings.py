"""Settings of a real ``manage.py db_worker`` started by a test (tests/test_pdf_healing.py).

The test settings (KIB_TESTING=1) with the database task backend instead of running tasks at
once, on the test's own database (``KIB_WORKER_DB_NAME``: the SQLite file or the PostgreSQL
test database). ``KIB_WORKER_SLOW_BUILD`` (seconds) makes each build wait that long before it
renders, so that a test can kill the worker in the middle of a build.
"""

import os

from kib.settings import *  # noqa: F403
from kib.settings import DATABASES, INSTALLED_APPS

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DATABASES["default"]["NAME"] = os.environ["KIB_WORKER_DB_NAME"]
DATABASES["default"].pop("TEST", None)
INSTALLED_APPS = [*INSTALLED_APPS, "tests.worker_app.SlowBuildConfig"]
