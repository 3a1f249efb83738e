"""Shared test setup.

Every test starts from an empty database (apart from what migrations create) and builds what
it needs with ``tests/factories.py``; a test that wants the demo (the full 2024 report)
requests ``demo_db``. Tests run in any order: ``make test`` keeps the file order
(``-p no:randomly``), ``make test-shuffled`` runs them in a random order.

The demo takes half a minute to load, so it is loaded once per test process, copied into
memory and rolled back (``_demo_snapshot``); ``demo_db`` writes that copy back inside the
test's own transaction, which is rolled back afterwards like any other test's changes (a
transactional test's database is flushed afterwards instead).
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction


def _all_rows():
    """{model: [rows]} for every table, many-to-many tables and history included."""
    return {
        model: list(model._base_manager.order_by("pk"))
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    }


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The rows that ``load_demo`` adds, taken from a load that is then rolled back."""
    from django.test import TestCase, override_settings

    base = tmp_path_factory.getbasetemp()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=base / "media", KIB_PDF_PREVIEW_ROOT=base / "pdf-previews"),
    ):
        before = {model: {row.pk for row in rows} for model, rows in _all_rows().items()}
        with transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):  # what a real load does after commit
                call_command("load_demo", verbosity=0)
            added = {
                model: [row for row in rows if row.pk not in before[model]] for model, rows in _all_rows().items()
            }
            transaction.set_rollback(True)
    return {model: rows for model, rows in added.items() if rows}


@pytest.fixture
def demo_db(_demo_snapshot, request):
    """The demo content (2024 and 2020 editions, organisations, demo accounts)."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    # The rows go in as they were (raw: no auto_now, no sanitising again). Foreign keys are
    # checked at commit (both databases create them deferrable), so the order of the tables does
    # not matter; the sequences are moved past the copied ids afterwards.
    with transaction.atomic():
        for model, rows in _demo_snapshot.items():
            fields = model._meta.local_concrete_fields
            size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
            for start in range(0, len(rows), size):
                model._base_manager._insert(rows[start : start + size], fields=fields, raw=True)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(_demo_snapshot)):
                cursor.execute(sql)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path_factory):
    """Files that tests store (published PDFs, draft previews) go to a temporary folder, not the project's."""
    base = Path(tmp_path_factory.getbasetemp())
    settings.MEDIA_ROOT = base / "media"
    settings.KIB_PDF_PREVIEW_ROOT = base / "pdf-previews"
