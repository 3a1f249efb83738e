"""The public search's statement is prepared once per PostgreSQL connection, and nothing else is.

``kib.db.backends.postgresql``'s ``prepared_cursor()`` binds the parameters on the server and has
psycopg prepare the statement, for that statement only: Django keeps psycopg's preparing off for
every other query (``prepare_threshold`` None), as connection poolers need. The function it calls
(migration 0012) keeps one plan for any words. SQLite has none of this: the search there is one
UNION ALL query through Django's own cursor.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from themes import search
from themes.models import Chapter, ChapterSection

connection = connections["default"]


@pytest.fixture
def published():
    edition = f.edition(year=2024)
    chapter = f.chapter(edition=edition, state=Chapter.State.APPROVED)
    ChapterSection.objects.create(chapter=chapter, title="Toegang", body="<p>De wachtlijsten in de jeugdzorg groeien.</p>")
    f.publish(edition)
    return chapter


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_search_is_prepared_once_per_connection_and_counted_like_any_query(published, client):
    if connection.vendor != "postgresql":
        assert not hasattr(connection, "prepared_cursor")
        assert search.search("wachtlijst")[1] == 1
        return
    connection.close()
    assert _prepared_statements() == []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/zoeken/?q=wachtlijst", secure=True)
        assert response.status_code == 200 and "<mark>wachtlijsten</mark>" in response.content.decode()
        assert [q["sql"] for q in queries if "kib_search_hits" in q["sql"]] == [
            f"SELECT * FROM kib_search_hits('{{{published.pk}}}'::integer[], 'wachtlijst', 200)"
        ]  # logged with its values, as Django logs any query
    statements = _prepared_statements()
    assert len(statements) == 1 and "kib_search_hits" in statements[0], statements  # one, kept: not prepared anew
    assert connection.connection.prepare_threshold is None  # every other query as Django sends it
    connection.close()  # a new connection prepares it again
    assert search.search("wachtlijst")[1] == 1
    assert len(_prepared_statements()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_search_statement_leaves_the_connection_as_django_keeps_it(published, monkeypatch):
    if connection.vendor != "postgresql":
        return
    monkeypatch.setattr(search, "_POSTGRESQL_SQL", "SELECT * FROM kib_search_hits(%(ids)s::integer[], %(query)s)")
    with pytest.raises(Exception, match="kib_search_hits"):
        search.search("wachtlijst")
    assert connection.connection.prepare_threshold is None
    monkeypatch.undo()
    assert search.search("wachtlijst")[1] == 1
