"""``kib.db.rows.rows_in``: the rows a queryset gives, with its SQL compiled once per connection."""

from unittest import mock

import pytest
from django.db import connections
from django.db.models import Value
from django.db.models.sql.compiler import SQLCompiler

from indicators.models import DataGap, FigureSeries, Observation
from kib.db.rows import compile_statement, rows_in
from themes.layout import PART_TABLES
from themes.models import Chapter, Citation, DevelopmentGroup, Figure

pytestmark = pytest.mark.django_db

TABLES = [(part.model, part.model._meta.get_field(part.parent_field).attname) for part in PART_TABLES]


def as_stored(rows):
    """Every field's value with its type, row by row in their order: what a page prints from them."""
    return [[(f.attname, type(getattr(row, f.attname)), getattr(row, f.attname)) for f in row._meta.concrete_fields] for row in rows]


def parents_of(model, key):
    if model is DevelopmentGroup or key == "chapter_id":
        return list(Chapter.objects.order_by("pk").values_list("pk", flat=True))
    return list(DevelopmentGroup.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize(("model", "key"), TABLES, ids=[model.__name__ for model, _key in TABLES])
def test_the_rows_are_the_querysets_rows_value_for_value(demo_db, model, key):
    parents = parents_of(model, key)
    assert len(parents) > 10
    for ids in (parents[:1], parents[3:5], parents[::-3], parents, [*parents, -5]):
        rows = rows_in(model, key, ids)
        expected = list(model._default_manager.filter(**{f"{key}__in": ids}))
        assert as_stored(rows) == as_stored(expected), (model, ids)
        assert all(not row._state.adding and row._state.db == "default" for row in rows)
    assert any(rows_in(model, key, parents)), f"the demo has {model.__name__} rows"
    assert rows_in(model, key, []) == []


def test_the_values_come_back_as_the_fields_hold_them(demo_db):
    """Booleans, dates and decimals: SQLite stores them as numbers and text, the compiler's converters read them."""
    indicator_ids = list(Observation.objects.values_list("indicator_id", flat=True).distinct()[:3])
    rows = rows_in(Observation, "indicator_id", indicator_ids)
    assert rows and {type(row.public) for row in rows} == {bool}
    assert as_stored(rows) == as_stored(Observation.objects.filter(indicator_id__in=indicator_ids))


def test_the_statement_is_compiled_once_per_shape_and_then_only_run(demo_db, django_assert_num_queries):
    chapters = list(Chapter.objects.order_by("pk").values_list("pk", flat=True))
    rows_in(Figure, "chapter_id", chapters[:2])
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        with django_assert_num_queries(1):
            again = rows_in(Figure, "chapter_id", chapters[4:6])  # other ids, as many: the kept statement
        assert as_sql.call_count == 0
        with django_assert_num_queries(1):
            rows_in(Figure, "chapter_id", chapters[:3])  # another number of ids: compiled for that shape
        assert as_sql.call_count == 1
    assert again and as_stored(again) == as_stored(Figure.objects.filter(chapter_id__in=chapters[4:6]))


def test_only_a_plain_statement_of_the_ids_is_kept(demo_db):
    ids = [-1, -2]
    assert compile_statement(Figure.objects.filter(chapter_id__in=ids), ids) is not None
    # Parameters of its own (a filtering manager): the ids alone do not make the statement.
    assert compile_statement(Figure.objects.filter(chapter_id__in=ids, number=3), ids) is None
    # Annotations or extra columns: not read as the model's own fields.
    assert compile_statement(Figure.objects.filter(chapter_id__in=ids).annotate(n=Value(1)), ids) is None
    assert compile_statement(Figure.objects.filter(chapter_id__in=ids).extra(select={"n": "1"}), ids) is None
    # Rows selected with them: kept, and read as select_related reads them.
    assert compile_statement(Citation.objects.filter(chapter_id__in=ids).select_related("source"), ids) is not None


RELATED = [
    (Citation, "chapter_id", ("source",)),
    (DataGap, "chapter_id", ("recommendation", "first_noted_in")),  # both may be empty
    (Figure, "chapter_id", ("chart", "chart__snapshot")),  # reverse one-to-one, and one further: may be missing
    (FigureSeries, "chart_id", ("indicator",)),
]


@pytest.mark.parametrize(("model", "key", "related"), RELATED, ids=[model.__name__ for model, *_ in RELATED])
def test_the_rows_selected_with_them_are_the_querysets_too(demo_db, model, key, related, django_assert_num_queries):
    parent = model._meta.get_field(key).related_model
    ids = list(parent.objects.order_by("pk").values_list("pk", flat=True))
    expected = list(model._default_manager.filter(**{f"{key}__in": ids}).select_related(*related))
    rows = rows_in(model, key, ids, related)
    assert rows and as_stored(rows) == as_stored(expected)
    with django_assert_num_queries(0):  # each related row came with its row, or is known to be missing
        for path in related:
            assert [shown(follow(row, path)) for row in rows] == [shown(follow(row, path)) for row in expected], path
    seen = {path: {follow(row, path) is None for row in rows} for path in related}
    assert any(False in kinds for kinds in seen.values()), "some related rows are there"


def shown(row):
    return None if row is None else as_stored([row])


def follow(row, path):
    for name in path.split("__"):
        row = getattr(row, name, None)
        if row is None:
            return None
    return row


def test_each_connection_keeps_its_own(demo_db):
    chapters = list(Chapter.objects.order_by("pk").values_list("pk", flat=True))[:2]
    rows_in(Figure, "chapter_id", chapters)
    connection = connections["default"]  # this thread's wrapper
    assert connection.__dict__["_kib_compiled_rows"][Figure, "chapter_id", 2, ()].compiler.connection is connection


def test_no_more_statements_are_kept_than_the_limit(demo_db, monkeypatch):
    from kib.db import rows

    monkeypatch.setattr(rows, "MAX_KEPT", 3)
    chapters = list(Chapter.objects.order_by("pk").values_list("pk", flat=True))
    for n in range(1, 8):
        assert as_stored(rows_in(Figure, "chapter_id", chapters[:n])) == as_stored(Figure.objects.filter(chapter_id__in=chapters[:n]))
        assert len(connections["default"].__dict__["_kib_compiled_rows"]) <= 3
