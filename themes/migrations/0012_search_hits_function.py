"""The search's one query as a function, ``kib_search_hits``, on PostgreSQL only, planned once per connection.

Sent as a statement, the query was planned again for every search: the planner folds the Dutch
``websearch_to_tsquery`` of the visitor's words and looks them up in the index's statistics, for
a plan that is the same every time (the GIN index, then the chapters' ids). On the demo that was
about 0.07 ms of PostgreSQL's CPU of the 0.17 ms a search cost it, on the same two cores as the
web workers. PL/pgSQL keeps the plan of its query for the connection's life, and
``plan_cache_mode = force_generic_plan``, set for the function's calls only, makes it keep the one
plan for any words instead of planning each search anew. ``themes.search`` calls it; its argument
``per_source`` is ``themes.search.MAX_HITS_PER_SOURCE``. SQLite has no such function.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION kib_search_hits(chapter_ids integer[], words text, per_source integer)
RETURNS TABLE (source smallint, "position" integer, pk integer, title text, body text, chapter_id integer)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  RETURN QUERY
    SELECT hits.source, hits.position, hits.pk, hits.title, hits.body, hits.chapter_id FROM (
      SELECT i.source, i.position, i.pk, i.title, i.body, i.chapter_id,
             row_number() OVER (PARTITION BY i.source ORDER BY i.position, i.pk) AS n
      FROM kib_search_index i
      WHERE i.chapter_id = ANY($1) AND i.document @@ websearch_to_tsquery('dutch', $2)
    ) AS hits
    WHERE hits.n <= $3;
END $$
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kib_search_hits(integer[], text, integer)")


class Migration(migrations.Migration):
    dependencies = [("themes", "0011_search_index_without_pending_list")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
