"""GIN indexes for the public search's Dutch full-text expression, on PostgreSQL only.

The expression is ``themes.search.vector_sql``; the search filters on exactly that expression so
the planner can use these indexes. SQLite (development, tests) searches with icontains instead.
"""

from django.db import migrations

from themes.search import FUNCTION_SQL, SOURCES, vector_sql


def index_name(source):
    return f"{source.table}_search_nl"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION_SQL)
    for source in SOURCES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(source)}" ON "{source.table}" USING gin ({vector_sql(source)})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for source in SOURCES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(source)}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS kib_search_nl(text, text)")


class Migration(migrations.Migration):
    dependencies = [("themes", "0004_chapter_state_not_editable")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
