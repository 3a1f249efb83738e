"""GIN indexes for the public search's Dutch full-text expression, on PostgreSQL only.

The expression is ``themes.search.vector_sql`` (``kib_search_nl(title, body)``, frozen here as it
was when this migration was written); the search filters on exactly that expression so the planner
can use these indexes. SQLite (development, tests) searches with icontains instead.
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION kib_search_nl(title text, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN to_tsvector('dutch'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''));
END
$$
"""
# table, title column, body column: themes.search.SOURCES
SOURCES = [
    ("themes_chapter", "intro_question", "summary"),
    ("themes_definition", "question", "body"),
    ("themes_keyfigureparagraph", "title", "body"),
    ("themes_figure", "title", "description"),
    ("themes_developmentitem", "title", "body"),
    ("themes_latestdevelopment", "title", "body"),
    ("themes_chaptersection", "title", "body"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION_SQL)
    for table, title, body in SOURCES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_search_nl" ON "{table}" USING gin (kib_search_nl({title}, {body}))'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _title, _body in SOURCES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_nl"')
    schema_editor.execute("DROP FUNCTION IF EXISTS kib_search_nl(text, text)")


class Migration(migrations.Migration):
    dependencies = [("themes", "0006_dutch_field_labels")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
