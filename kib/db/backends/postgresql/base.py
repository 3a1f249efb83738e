"""Django's PostgreSQL backend with a health check that costs no round trip when nothing is wrong,
and a cursor for the one statement that is worth preparing (the public search).

``CONN_HEALTH_CHECKS`` makes Django check a kept connection before a request's first query, so a
database restart costs no error: Django's check sends ``SELECT 1`` and waits for the answer, on every
request that reads the database (on the public search, about 6% of its CPU). A connection the server
has ended is never silent: a restart or a terminated backend sends its FATAL message and closes the
socket, so an idle connection's socket has something to read. Only then is ``SELECT 1`` sent (the
socket may also hold a harmless notice); a socket with nothing to read is taken as usable, as Django's
check would have found it.

``prepared_cursor()``: Django turns psycopg's prepared statements off (``prepare_threshold`` None,
so that connection poolers work) and binds parameters on the client. The public search sends one
statement on every request, the same but for its parameters; this cursor binds them on the server
and prepares the statement once per connection, so PostgreSQL no longer parses and plans it per
search. It is Django's cursor wrapper all the same: the statement is counted and logged like any.
Behind a pooler in transaction mode that needs PgBouncer 1.21 or later (``max_prepared_statements``).
"""

import select

from django.db.backends.postgresql import base, operations
from psycopg import pq


class PreparingCursor(base.ServerBindingCursor):
    """psycopg's server-binding cursor that prepares what it executes (once per connection), whatever the
    connection's ``prepare_threshold``; only for that statement, so every other query stays as Django sends it."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        connection = self.connection
        threshold = connection.prepare_threshold
        connection.prepare_threshold = 0  # psycopg prepares nothing while it is None
        try:
            return super().execute(query, params, prepare=True, binary=binary)
        finally:
            connection.prepare_threshold = threshold


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The prepared statement as Django shows a server-bound one (psycopg keeps no text of it): for logs only."""
        if isinstance(cursor, PreparingCursor):
            try:
                return self.compose_sql(sql, params)
            except base.Database.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def prepared_cursor(self):
        """A cursor (Django's wrapper, as ``cursor()`` gives) whose statements are prepared: see the module's note."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparingCursor(self.connection))

    def is_usable(self):
        connection = self.connection
        if connection is None:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            waiting, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, base.Database.Error):  # a closed socket
            return False
        return not waiting or super().is_usable()
