import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker):
    """The demo content, loaded once per test session (tests using it must not change it)."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
    yield
