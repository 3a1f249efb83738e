"""A kept PostgreSQL connection is checked without a round trip, and a connection the server ended is still found.

Django's health check (``CONN_HEALTH_CHECKS``) sent ``SELECT 1`` before every request's first query;
``kib.db.backends.postgresql`` looks at the socket instead and only asks the server when something is
waiting there. These tests end the connection from the server's side, as a restart does, and check
that the next request still answers.
"""

import select
import time

import psycopg
import pytest
from django.db import close_old_connections, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

from kib.db.backends.postgresql.base import DatabaseWrapper

connection = connections["default"]  # the wrapper itself, not Django's proxy to it


def _ended_by_the_server():
    """End this process's connection from another one (``pg_terminate_backend``, what a restart does to it)."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while not select.select([connection.connection.pgconn.socket], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the server's FATAL message never arrived"


@pytest.mark.django_db(transaction=True)
def test_a_healthy_kept_connection_is_checked_without_asking_the_server(monkeypatch):
    if connection.vendor != "postgresql":
        assert connection.settings_dict["ENGINE"] == "django.db.backends.sqlite3"  # SQLite keeps Django's own
        return
    assert isinstance(connection, DatabaseWrapper)
    connection.ensure_connection()
    asked = []
    monkeypatch.setattr(DjangoWrapper, "is_usable", lambda self: asked.append(self) or True)
    assert connection.is_usable()
    assert asked == []


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_found_and_the_next_request_answers(client, monkeypatch):
    if connection.vendor != "postgresql":
        assert connection.settings_dict["CONN_HEALTH_CHECKS"]
        return
    connection.ensure_connection()
    _ended_by_the_server()
    assert connection.is_usable() is False
    connection.close()
    connection.ensure_connection()
    # A request after the restart: Django's check (kept on) finds it, opens a new connection, answers.
    # The test client leaves out what a request starts with (``close_old_connections``): it is called here.
    assert connection.health_check_enabled
    monkeypatch.setattr(connection, "close_at", None)  # kept, as CONN_MAX_AGE keeps it in production
    _ended_by_the_server()
    close_old_connections()
    assert connection.connection is not None  # not closed for another reason: the check has to find it
    response = client.get("/zoeken/?q=wachtlijst", secure=True)
    assert response.status_code == 200
    assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_a_connection_is_kept_from_one_request_to_the_next_on_sqlite_too():
    """SQLite keeps its connection between requests as PostgreSQL does (``DB_CONN_MAX_AGE``, 60 s): a new one
    reads the schema again and prepares every statement anew. The test client leaves out what a request
    starts and ends with (``close_old_connections``): it is called here."""
    assert connection.settings_dict["CONN_MAX_AGE"] == 60
    close_old_connections()
    connection.ensure_connection()
    kept = connection.connection
    close_old_connections()  # the end of a request, then the start of the next
    close_old_connections()
    assert connection.connection is kept
