"""The search finds what the searched tables hold now, after every kind of write.

On PostgreSQL the search reads one table, ``kib_search_index``, that triggers keep as a copy of
the seven searched tables (migration 0010); on SQLite it reads those tables themselves. Either way,
after an insert, an edit, a reorder, a delete, a bulk update or insert, a group moved to another
chapter, an emptied table and a chapter that is published later, what ``_hits`` finds must be what a
query per kind of text on the tables themselves finds (``matching``). A trigger that missed a kind
of write would leave the index behind, and these comparisons would differ.
"""

import re

import pytest
from django.db import connection

from kib.models import Edition
from tests import factories as f
from themes import search
from themes.models import Chapter, ChapterSection, DevelopmentGroup, DevelopmentItem, Figure, LatestDevelopment

pytestmark = pytest.mark.django_db
WORDS = ("wachtlijst", "jeugdzorg", "wachtlijst jeugdzorg", "Bonaire", "zeppelin")


def found(query):
    chapter_ids = list(Chapter.objects.published().values_list("pk", flat=True))
    return sorted(
        (index, pk, title, body) for index, _order, pk, title, body, _chapter in search._hits(query, chapter_ids)
    )


def expected(query):
    return sorted(
        (index, obj.pk, getattr(obj, source.title), getattr(obj, source.body))
        for index, source in enumerate(search.SOURCES)
        for obj in search.matching(source, query)
    )


def same_as_the_tables():
    for query in WORDS:
        assert found(query) == expected(query), query


@pytest.fixture
def chapters():
    youth = f.theme(number=6, slug="jeugdhulp", title="Jeugdhulp", nav_label="Jeugdhulp")
    published = f.edition(year=2024, state=Edition.State.PUBLISHED)
    chapter = f.chapter(edition=published, theme=youth, state=Chapter.State.APPROVED, summary="<p>De wachtlijst.</p>")
    other = f.chapter(edition=published, state=Chapter.State.APPROVED, summary="<p>Armoede op Bonaire.</p>")
    draft = f.chapter(edition=f.edition(year=2025), theme=youth, summary="<p>zeppelin wachtlijst</p>")
    return chapter, other, draft


def test_the_search_follows_inserts_edits_reorders_and_deletes(chapters):
    chapter, other, _draft = chapters
    same_as_the_tables()
    section = ChapterSection.objects.create(chapter=chapter, title="Toegang", body="<p>Wachtlijst jeugdzorg</p>")
    latest = LatestDevelopment.objects.create(chapter=other, title="Bonaire", body="<p>Nieuwe jeugdzorg</p>")
    same_as_the_tables()
    assert (6, section.pk) in {(index, pk) for index, pk, *_ in found("wachtlijst jeugdzorg")}
    section.body = "<p>Zeppelin</p>"
    section.save()
    latest.position = 7
    latest.save(update_fields=["position"])
    same_as_the_tables()
    assert (6, section.pk) not in {(index, pk) for index, pk, *_ in found("wachtlijst jeugdzorg")}
    chapter.summary = "<p>Geen woorden meer.</p>"
    chapter.save()
    latest.delete()
    same_as_the_tables()
    assert found("Bonaire") == [(0, other.pk, "", "<p>Armoede op Bonaire.</p>")]


def test_the_search_follows_bulk_writes_and_an_emptied_table(chapters):
    chapter, other, _draft = chapters
    ChapterSection.objects.bulk_create(
        [
            ChapterSection(chapter=c, title=f"Deel {i}", body="<p>wachtlijst</p>", position=i)
            for i, c in enumerate((chapter, other))
        ]
    )
    same_as_the_tables()
    ChapterSection.objects.filter(chapter=other).update(body="<p>jeugdzorg op Bonaire</p>")
    Figure.objects.create(chapter=other, number=1, title="Wachtlijst", description="")
    same_as_the_tables()
    assert len(found("Bonaire")) == 2
    with connection.cursor() as cursor:  # what the tests' flush and a bulk clean-up do
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign-key checks pending in this transaction
            cursor.execute("TRUNCATE themes_chaptersection CASCADE")
        else:
            cursor.execute("DELETE FROM themes_chaptersection")
    same_as_the_tables()
    assert [index for index, *_ in found("wachtlijst")] == [0, 3]


def test_a_development_item_is_found_under_the_chapter_its_group_moves_to(chapters):
    chapter, _other, draft = chapters
    group = DevelopmentGroup.objects.create(chapter=draft, kind=DevelopmentGroup.Kind.POLICY)
    item = DevelopmentItem.objects.create(group=group, title="Jeugdzorg", body="<p>De wachtlijst groeit.</p>")
    same_as_the_tables()
    assert (4, item.pk) not in {(index, pk) for index, pk, *_ in found("wachtlijst")}  # a draft's text
    DevelopmentGroup.objects.filter(pk=group.pk).update(chapter=chapter)
    same_as_the_tables()
    assert (4, item.pk) in {(index, pk) for index, pk, *_ in found("wachtlijst")}
    group.delete()
    same_as_the_tables()


def test_a_chapter_published_later_is_found_with_the_text_it_has_then(chapters):
    _chapter, _other, draft = chapters
    ChapterSection.objects.create(chapter=draft, title="Concept", body="<p>zeppelin</p>")
    assert found("zeppelin") == []
    Edition.objects.filter(pk=draft.edition_id).update(state=Edition.State.PUBLISHED)
    Chapter.objects.filter(pk=draft.pk).update(state=Chapter.State.APPROVED)
    same_as_the_tables()
    assert [index for index, *_ in found("zeppelin")] == [0, 6]


def test_the_search_reads_the_gin_index_not_the_whole_table(demo_db):
    """With GIN's pending list ("fastupdate", PostgreSQL's default) the demo's rows all waited in the list,
    every search read it whole, and the planner chose a sequential scan: the GIN index was never used
    (migration 0011 turns the list off). The function the search calls (migration 0012) keeps one plan for any
    words, planned without them: that plan too must read the index. SQLite has no index table: it searches the
    tables themselves."""
    if connection.vendor != "postgresql":
        assert "kib_search_index" not in connection.introspection.table_names()
        return
    chapter_ids = "{" + ",".join(map(str, Chapter.objects.published().values_list("pk", flat=True))) + "}"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kib_search_index")
        # The query of the function the search calls (migration 0012), with the one plan it keeps for any words.
        cursor.execute("SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'kib_search_hits'")
        source, config = cursor.fetchone()
        assert config == ["plan_cache_mode=force_generic_plan"]
        query = re.search(r"RETURN QUERY(.*?);", source, re.DOTALL).group(1)
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE kib_search_plan (integer[], text, integer) AS {query}")
        try:
            cursor.execute(
                "EXPLAIN (FORMAT JSON) EXECUTE kib_search_plan (%s, %s, %s)",
                [chapter_ids, "jeugdzorg wachtlijst", search.MAX_HITS_PER_SOURCE],
            )
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE kib_search_plan")
            cursor.execute("RESET plan_cache_mode")
    nodes, scans = [plan[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", ()))
        if "Scan" in node["Node Type"]:
            scans.append((node["Node Type"], node.get("Index Name") or node.get("Relation Name")))
    assert ("Bitmap Index Scan", "kib_search_index_document") in scans, scans
    assert ("Seq Scan", "kib_search_index") not in scans, scans
