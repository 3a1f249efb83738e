"""Shared test setup.

Every test starts from an empty database (apart from what migrations create) and builds what
it needs with ``tests/factories.py``; a test that wants the demo (the full 2024 report)
requests ``demo_db``. Tests run in any order: ``make test`` keeps the file order
(``-p no:randomly``), ``make test-shuffled`` runs them in a random order.

The demo takes half a minute to load, so it is loaded once per test process, copied into
memory and rolled back (``_demo_snapshot``); ``demo_db`` writes that copy back inside the
test's own transaction, which is rolled back afterwards like any other test's changes.

A transactional test (``transaction=True``, ``live_server``) empties the database afterwards
(Django's flush), taking with it what the migrations wrote (content types, permissions, the
role groups). The rows of the freshly migrated database are kept too (``_migrated_rows``), and
a test that finds them gone writes them back before it starts, so no test depends on what ran
before it.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import translation


def _all_rows():
    """{model: [rows]} for every table, many-to-many tables and history included."""
    return {
        model: list(model._base_manager.order_by("pk"))
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    }


def _write_rows(snapshot):
    """Insert the rows of ``snapshot`` as they were (raw: no auto_now, no sanitising again).

    Foreign keys are checked at commit (both databases create them deferrable), so the order of
    the tables does not matter; the sequences are moved past the copied ids afterwards.
    """
    with transaction.atomic():
        for model, rows in snapshot.items():
            fields = model._meta.local_concrete_fields
            size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
            for start in range(0, len(rows), size):
                model._base_manager._insert(rows[start : start + size], fields=fields, raw=True)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(snapshot)):
                cursor.execute(sql)


DEMO_IDS_FROM = 1_000_000


def _start_ids_at(first):
    """Let every table's next id be at least ``first`` (inside the snapshot's rolled-back transaction).

    The demo's rows then never take an id that a test's own rows (made before ``demo_db`` writes
    the demo back, e.g. ``admin_user``) already have. SQLite rolls this back with the rest; a
    PostgreSQL sequence stays moved, which only means later ids are larger.
    """
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed or not isinstance(model._meta.pk, models.AutoField):
                continue
            table, column = model._meta.db_table, model._meta.pk.column
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first - 1])
            else:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, column, first - 1])


@pytest.fixture(scope="session")
def _migrated_rows(django_db_setup, django_db_blocker):
    """The rows of the freshly migrated database: content types, permissions, the role groups."""
    with django_db_blocker.unblock():
        return {model: rows for model, rows in _all_rows().items() if rows}


def _restore_migrated_rows(migrated):
    """Write the migrated rows back when a flush took them (a transactional test ran before)."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    groups = migrated.get(Group, [])
    first_type = migrated[ContentType][0]
    intact = Group.objects.filter(pk__in=[g.pk for g in groups]).count() == len(groups) and (
        ContentType.objects.filter(pk=first_type.pk, app_label=first_type.app_label, model=first_type.model).exists()
    )
    if intact:
        return
    with transaction.atomic():
        for model in migrated:  # after a flush only what post_migrate made again is there, under new ids
            model._base_manager.all()._raw_delete(connection.alias)
        ContentType.objects.clear_cache()
        _write_rows(migrated)
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _database_as_migrated(request, _django_db_helper):
    """Every database test starts from the migrated rows, whatever ran before it."""
    marked = request.node.get_closest_marker("django_db") is not None
    if not marked and not any(name in request.fixturenames for name in ("db", "transactional_db", "demo_db")):
        return
    migrated = request.getfixturevalue("_migrated_rows")
    if not marked:  # database access through a fixture (``demo_db``): open it the way that fixture will
        transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
        request.getfixturevalue("transactional_db" if transactional else "db")
    _restore_migrated_rows(migrated)


@pytest.fixture(scope="session")
def _demo_snapshot(_migrated_rows, django_db_setup, django_db_blocker, tmp_path_factory):
    """The rows that ``load_demo`` adds, taken from a load that is then rolled back."""
    from django.test import TestCase, override_settings

    base = tmp_path_factory.getbasetemp()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=base / "media", KIB_PDF_PREVIEW_ROOT=base / "pdf-previews"),
    ):
        _restore_migrated_rows(_migrated_rows)  # committed: a transactional test may have flushed them
        before = {model: {row.pk for row in rows} for model, rows in _all_rows().items()}
        with transaction.atomic():
            _start_ids_at(DEMO_IDS_FROM)
            with TestCase.captureOnCommitCallbacks(execute=True):  # what a real load does after commit
                call_command("load_demo", verbosity=0, accounts=True, cycle=False, pdf=False)
            added = {model: [row for row in rows if row.pk not in before[model]] for model, rows in _all_rows().items()}
            transaction.set_rollback(True)
    media = base / "media"
    files = {path: path.read_bytes() for path in media.rglob("*") if path.is_file()}  # the files the load stored
    return {model: rows for model, rows in added.items() if rows}, files


def _restore_demo_files(files):
    """Put the demo's stored files back as the load left them: a test may have damaged, replaced or deleted one
    (a correction that builds the open data again deletes the file it replaces), while its rows are restored."""
    for path, data in files.items():
        if not path.is_file() or path.stat().st_size != len(data) or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


@pytest.fixture
def demo_db(_demo_snapshot, request):
    """The demo content (2024 and 2020 editions, organisations, demo accounts)."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    rows, files = _demo_snapshot
    _write_rows(rows)
    _restore_demo_files(files)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path_factory):
    """Files that tests store (published PDFs, draft previews) go to a temporary folder, not the project's."""
    base = Path(tmp_path_factory.getbasetemp())
    settings.MEDIA_ROOT = base / "media"
    settings.KIB_PDF_PREVIEW_ROOT = base / "pdf-previews"


@pytest.fixture(autouse=True)
def _nothing_kept_from_an_earlier_test():
    """Every test starts with empty local-memory caches and no stored file remembered by the process (per
    content version; verified once per file): locmem caches of the same name share their data across tests,
    so two tests under them shared a content version, and the file one test stored is not the next one's. And
    the site's language: the language middleware leaves the last request's language active in the thread."""
    from django.core.cache.backends import locmem

    from kib import public_cache
    from kib.publication import services

    for kept in (locmem._caches, locmem._expire_info):
        for store in kept.values():
            store.clear()
    public_cache._kept.clear()
    services._verified.clear()
    translation.activate(settings.LANGUAGE_CODE)  # a request of an earlier test in English left English active
