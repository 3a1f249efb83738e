"""One table for the public search, on PostgreSQL only: ``kib_search_index``, kept by triggers.

The search used to read the seven searched tables in one UNION ALL query. Planning that query
took about 1 ms and its seven scans another 1 ms, more than everything else a search page does;
one table with one GIN index answers in a tenth of that. The table holds one row per searched row
(``source`` is its place in ``themes.search.SOURCES``): its chapter, its place in the chapter, its
title and body as stored, and the Dutch vector of migration 0008 (copied, not computed again).

Triggers keep it exact whoever writes the rows, as the generated columns of 0008 are: the admin,
the copy into next year, the import, the archive, a bulk update, raw SQL. A development item's
chapter is its group's, so moving a group moves its items' rows; emptying a searched table
(``TRUNCATE``, as the tests' flush does) empties the index. It holds every chapter's text, drafts
too, as the searched tables do: the search reads only the rows of the chapters that
``Chapter.objects.published()`` returns, by id. SQLite (development, tests) has no such table and
searches the seven tables with ``icontains``.
"""

from django.db import migrations

INDEX = "kib_search_index"

# (table, title column, body column, column of its place in the chapter, its chapter): the order is
# themes.search.SOURCES, frozen here as it was.
SOURCES = [
    ("themes_chapter", "intro_question", "summary", "0", "NEW.id"),
    ("themes_definition", "question", "body", "NEW.position", "NEW.chapter_id"),
    ("themes_keyfigureparagraph", "title", "body", "NEW.position", "NEW.chapter_id"),
    ("themes_figure", "title", "description", "NEW.number", "NEW.chapter_id"),
    (
        "themes_developmentitem",
        "title",
        "body",
        "NEW.position",
        "(SELECT chapter_id FROM themes_developmentgroup WHERE id = NEW.group_id)",
    ),
    ("themes_latestdevelopment", "title", "body", "NEW.position", "NEW.chapter_id"),
    ("themes_chaptersection", "title", "body", "NEW.position", "NEW.chapter_id"),
]


def _row(source, title, body, position, chapter, prefix="NEW"):
    """The SELECT list of one index row from a row of a searched table (``prefix``: NEW, or the table)."""
    values = (
        str(source),
        f"{prefix}.id",
        chapter,
        position,
        f"{prefix}.{title}",
        f"{prefix}.{body}",
        f"{prefix}.kib_search",
    )
    return ", ".join(value.replace("NEW.", f"{prefix}.") for value in values)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(
        f"CREATE TABLE {INDEX} (source smallint NOT NULL, pk integer NOT NULL, chapter_id integer, "
        "position integer NOT NULL, title text, body text, document tsvector NOT NULL, PRIMARY KEY (source, pk))"
    )
    columns = "source, pk, chapter_id, position, title, body, document"
    for source, (table, title, body, position, chapter) in enumerate(SOURCES):
        function = f"{table}_search_index"
        run(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF TG_OP = 'TRUNCATE' THEN\n"
            f"    DELETE FROM {INDEX} WHERE source = {source};\n"
            "    RETURN NULL;\n"
            "  END IF;\n"
            "  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
            f"    DELETE FROM {INDEX} WHERE source = {source} AND pk = OLD.id;\n"
            "  END IF;\n"
            "  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
            f"    INSERT INTO {INDEX} ({columns}) SELECT {_row(source, title, body, position, chapter)};\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END $$"
        )
        run(
            f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        run(
            f"CREATE TRIGGER {function}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        from_table = f" FROM {table}"
        select = _row(source, title, body, position.replace("NEW.", f"{table}."), chapter, prefix=table)
        if table == "themes_developmentitem":
            select = select.replace(
                f"(SELECT chapter_id FROM themes_developmentgroup WHERE id = {table}.group_id)", "g.chapter_id"
            )
            from_table += f" LEFT JOIN themes_developmentgroup g ON g.id = {table}.group_id"
        run(f"INSERT INTO {INDEX} ({columns}) SELECT {select}{from_table}")
    # A development item's chapter is its group's: a group moved to another chapter moves its items' rows.
    run(
        "CREATE FUNCTION themes_developmentgroup_search_index() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        f"  UPDATE {INDEX} SET chapter_id = NEW.chapter_id WHERE source = 4 AND pk IN "
        "(SELECT id FROM themes_developmentitem WHERE group_id = NEW.id);\n"
        "  RETURN NULL;\n"
        "END $$"
    )
    run(
        "CREATE TRIGGER themes_developmentgroup_search_index AFTER UPDATE OF chapter_id ON themes_developmentgroup "
        "FOR EACH ROW WHEN (OLD.chapter_id IS DISTINCT FROM NEW.chapter_id) "
        "EXECUTE FUNCTION themes_developmentgroup_search_index()"
    )
    run(f"CREATE INDEX {INDEX}_document ON {INDEX} USING gin (document)")
    run(f"ANALYZE {INDEX}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for table, *_rest in [*SOURCES, ("themes_developmentgroup",)]:
        run(f"DROP TRIGGER IF EXISTS {table}_search_index ON {table}")
        run(f"DROP TRIGGER IF EXISTS {table}_search_index_truncate ON {table}")
        run(f"DROP FUNCTION IF EXISTS {table}_search_index()")
    run(f"DROP TABLE IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("themes", "0009_footnote_automatic_marker")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
