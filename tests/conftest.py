"""Shared test setup.

The demo (the full 2024 report) is loaded once per test database and kept: tests
that use it request ``demo_db`` and run last in each worker (see
``pytest_collection_modifyitems``), so tests that build their own objects with
``tests/factories.py`` start from an empty database. Each test still runs in a
transaction that is rolled back, so no test changes the demo for the next one.
A transactional test (``transaction=True``) flushes the database afterwards;
``demo_db`` notices and loads the demo again inside the next test.
"""

import pytest
from django.core.management import call_command


def pytest_collection_modifyitems(items):
    def rank(item):
        fixtures = getattr(item, "fixturenames", ())
        if "demo_db" in fixtures:
            return 2
        if "transactional_db" in fixtures or "live_server" in fixtures:
            return 1
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction"):
            return 1
        return 0

    items.sort(key=rank)  # stable: keeps the file order within each rank


@pytest.fixture(scope="session")
def _demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0, accounts=True, cycle=False, pdf=False)


@pytest.fixture
def demo_db(_demo_loaded, request):
    """The demo content (2024 and 2020 editions, organisations, demo accounts)."""
    from kib.models import Edition

    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    if not Edition.objects.filter(year=2024).exists():  # flushed by an earlier transactional test
        call_command("load_demo", verbosity=0, accounts=True, cycle=False, pdf=False)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path_factory):
    """Files that tests store (published PDFs, draft previews) go to a temporary folder, not the project's."""
    base = tmp_path_factory.getbasetemp()
    settings.MEDIA_ROOT = base / "media"
    settings.KIB_PDF_PREVIEW_ROOT = base / "pdf-previews"
