"""Stored Dutch search vectors for the public search, on PostgreSQL only.

Each searched table gets ``kib_search``, a generated column (``GENERATED ALWAYS AS … STORED``)
that PostgreSQL keeps up to date on every insert and update, whoever writes the row: the admin,
the copy into next year, the import, the archive. The GIN index ``<table>_search_nl`` now covers
that column instead of the expression of migration 0007: the search no longer computes a
vector per row when the planner starts from the chapter ids (measured on the demo: the chapter
table alone took 25 ms that way). The column is not in Django's model state: only
``themes.search`` reads it, and SQLite (development, tests) searches with icontains.
"""

from django.db import migrations

# table, title column, body column: themes.search.SOURCES (frozen here as they were)
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
    for table, title, body in SOURCES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_nl"')
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN kib_search tsvector GENERATED ALWAYS AS '
            f"(to_tsvector('dutch'::regconfig, coalesce({title}, '') || ' ' || coalesce({body}, ''))) STORED"
        )
        schema_editor.execute(f'CREATE INDEX "{table}_search_nl" ON "{table}" USING gin (kib_search)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, title, body in SOURCES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_nl"')
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS kib_search')
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_search_nl" ON "{table}" USING gin (kib_search_nl({title}, {body}))'
        )


class Migration(migrations.Migration):
    dependencies = [("themes", "0007_search_gin_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
