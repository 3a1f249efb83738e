"""Rows of a table whose foreign key is one of some ids, with their SQL compiled once per connection.

Django builds and compiles a queryset's SQL anew every time it is evaluated. For a small table read
by a list of ids that is most of the cost: the seven small part tables of the grown set's chapter
page took 4.5 ms that way and 1.0 ms with the SQL kept (``themes.layout``). ``rows_in`` compiles the
model's default queryset filtered on ``key__in`` once per database connection (Django's connection
wrapper, so per thread), per model, key and number of ids, with marker ids in place of the ids, and
from then on only executes it. The rows come back as the queryset gives them: the same SQL (columns,
order), the same converters, each row made with ``from_db``.

Only a plain queryset qualifies: the default manager, with select_related if asked, no annotations, no
deferred fields. If the compiled statement's parameters are anything but the ids (a default manager that
filters by itself), it is not kept and the queryset is evaluated as usual.
"""

from django.db import connections, router
from django.db.models.query import get_related_populators

MAX_KEPT = 512
_KEPT = "_kib_compiled_rows"  # on the connection wrapper: {(model, key, number of ids, select_related): statement}


class _Statement:
    """One compiled statement: its SQL, the fields its columns fill, the related rows they hold (select_related)
    and the converters its compiler applies, as ``ModelIterable`` reads them."""

    def __init__(self, compiler, sql):
        self.compiler = compiler  # of this connection: applies the converters (SQLite's booleans, dates, decimals)
        self.sql = sql
        info = compiler.klass_info
        self.end = info["select_fields"][-1] + 1
        self.fields = [column[0].target.attname for column in compiler.select[: self.end]]
        self.related = get_related_populators(info, compiler.select, compiler.using)
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])

    def rows(self, model, using, ids):
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, ids)
            values = cursor.fetchall()
        if self.converters:
            values = self.compiler.apply_converters(values, self.converters)
        rows = []
        for row in values:
            obj = model.from_db(using, self.fields, row[: self.end])
            for related in self.related:
                related.populate(row, obj)
            rows.append(obj)
        return rows


def compile_statement(queryset, ids):
    """The statement of ``queryset`` (evaluated with ``ids``), or None when it cannot be kept as one.

    It can be kept when its parameters are exactly ``ids`` and its columns are the model's own fields and
    those of the rows it selects with them (no annotations, no extra columns).
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    info = compiler.klass_info
    if list(params) != list(ids) or not info or compiler.annotation_col_map or info["select_fields"][0] != 0:
        return None
    return _Statement(compiler, sql)


def rows_in(model, key, ids, select_related=()):
    """The rows of ``model`` (its default manager, in its order) whose field ``key`` (an attname) is in ``ids``,
    each with the rows of ``select_related`` as that queryset method gives them."""
    ids = list(ids)
    if not ids:
        return []
    using = router.db_for_read(model)
    kept = connections[using].__dict__.setdefault(_KEPT, {})
    shape = (model, key, len(ids), tuple(select_related))

    def queryset(values):
        rows = model._default_manager.using(using).filter(**{f"{key}__in": values})
        return rows.select_related(*select_related) if select_related else rows

    if shape not in kept:
        if len(kept) >= MAX_KEPT:  # shapes are few (a model, a key, a number of ids); never let them pile up
            kept.clear()
        markers = list(range(-1, -len(ids) - 1, -1))  # no row has these ids: only the statement is wanted
        kept[shape] = compile_statement(queryset(markers), markers)
    statement = kept[shape]
    if statement is None:
        return list(queryset(ids))
    return statement.rows(model, using, ids)
