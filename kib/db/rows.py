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

import datetime
import functools

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
    prefetch_related_objects,
)
from django.utils.translation import get_language

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


# -- any queryset of a page, built from a few plain arguments --------------------------------------------------------

_KEPT_QUERIES = "_kib_kept_queries"  # on the connection wrapper: {(builder, language, shape of the arguments): _Query}
# An argument's place while compiling, in two sets: each queryset is compiled with both, and a parameter is an
# argument's only where the two compiles differ by exactly the two markers of it. The numbers fit every integer
# field (a small positive one too: Django drops a comparison with a value out of a field's range); the texts hold
# the characters a LIKE pattern escapes ("%", "_", "\\"), so a lookup that changes its value shows.
_INT_MARKERS = (30_011, 31_013)
_STR_MARKER = "\x1ekib%_\\argument-{}-{}\x1e"
_CONSTANT = (bool, type(None))  # part of the shape by value: the SQL may differ with them (IS NULL)


class _Query:
    """A compiled queryset: its SQL, where each argument goes in its parameters, and how its rows are read.

    ``places``: per parameter, ``(argument, element)`` (``element`` None for a plain argument, else its place
    in a list) or ``(None, value)`` for a value of the queryset's own (``public=True``).
    """

    def __init__(self, queryset, compiler, sql, places):
        self.compiler = compiler
        self.sql = sql
        self.places = places
        self.iterable = queryset._iterable_class
        self.prefetch = queryset._prefetch_related_lookups
        self.model = queryset.model
        self.db = queryset.db
        self.count = compiler.col_count
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        if self.iterable is ModelIterable:
            info = compiler.klass_info
            start, self.end = info["select_fields"][0], info["select_fields"][-1] + 1
            self.start = start
            self.fields = [column[0].target.attname for column in compiler.select[start : self.end]]
            self.related = get_related_populators(info, compiler.select, compiler.using)
            self.annotations = list(compiler.annotation_col_map.items())
        elif self.iterable is ValuesIterable:
            query = queryset.query
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def rows(self, args):
        params = []
        for arg, element in self.places:
            if arg is None:
                params.append(element)
            elif element is None:
                params.append(args[arg])
            else:
                params.append(args[arg][element])
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            values = cursor.fetchall()
        if self.count != len(values[0] if values else ()):
            values = [row[: self.count] for row in values]
        if self.converters:
            values = list(self.compiler.apply_converters(values, self.converters))
        if self.iterable is FlatValuesListIterable:
            return [row[0] for row in values]
        if self.iterable is ValuesListIterable:
            return [tuple(row) for row in values]
        if self.iterable is ValuesIterable:
            return [dict(zip(self.names, row, strict=True)) for row in values]
        rows = []
        for row in values:
            obj = self.model.from_db(self.db, self.fields, row[self.start : self.end])
            for related in self.related:
                related.populate(row, obj)
            for name, place in self.annotations:
                setattr(obj, name, row[place])
            rows.append(obj)
        if self.prefetch and rows:
            prefetch_related_objects(rows, *self.prefetch)
        return rows


def _arguments(args, variant=0):
    """``(markers, shape, places)`` of a call's arguments, or None when one cannot be marked.

    An int or a str (or a list of them) is marked, and only its type (and a list's length) is in the shape; a
    bool or None is passed as it is and is in the shape by value. ``places``: each marker's argument, and its
    place in that argument when it is a list (else None). ``variant``: which of the two sets of markers.
    """
    markers, shape, places = [], [], {}

    def mark(value, place):
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        number = len(places)
        marker = _INT_MARKERS[variant] + number if isinstance(value, int) else _STR_MARKER.format(variant, number)
        places[marker] = place
        return marker

    for index, arg in enumerate(args):
        if isinstance(arg, _CONSTANT):
            markers.append(arg)
            shape.append(arg)
        elif isinstance(arg, list | tuple):
            marked = [mark(value, (index, position)) for position, value in enumerate(arg)]
            if None in marked:
                return None
            markers.append(marked)
            shape.append(tuple(type(value) for value in arg))
        else:
            marker = mark(arg, (index, None))
            if marker is None:
                return None
            markers.append(marker)
            shape.append(type(arg))
    return markers, tuple(shape), places


_READ = (ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable)


def _compiled(queryset):
    """``(compiler, sql, params)`` of ``queryset``, or None when it cannot be read as a kept statement."""
    if queryset._iterable_class not in _READ or queryset._known_related_objects or queryset.query.combinator:
        return None
    if queryset._iterable_class in (ValuesListIterable, FlatValuesListIterable) and (
        queryset.query.extra_select or queryset.query.annotation_select
    ):
        return None  # values_list puts those columns in its own order
    try:
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
    except (EmptyResultSet, ValueError, TypeError):  # a marker the queryset could not take: built anew each call
        return None
    if queryset._iterable_class is ModelIterable and not compiler.klass_info:
        return None
    return compiler, sql, list(params)


def compile_query(first, second, places, seconds):
    """The ``_Query`` of ``first``, a queryset built with the first set of markers, and ``second``, the same built
    with the second (``places``, ``seconds``: each set's markers and their places, as ``_arguments`` gives them);
    or None when it cannot be kept.

    It is kept when both compile to the same SQL, their parameters differ exactly where an argument's two markers
    stand, every marker stands somewhere as it was passed (not made into another value, nor written into the
    SQL), no other parameter is a date or a time (the moment it was compiled), and its rows are read as model
    instances or plain values.
    """
    one, two = _compiled(first), _compiled(second)
    if one is None or two is None or one[1] != two[1] or len(one[2]) != len(two[2]):
        return None
    compiler, sql, params = one
    kept, used = [], set()
    for param, other in zip(params, two[2], strict=True):
        if param != other or type(param) is not type(other):
            place = places.get(param) if isinstance(param, int | str) and not isinstance(param, bool) else None
            if place is None or seconds.get(other) != place:
                return None  # a parameter made from an argument, not the argument itself
            kept.append(place)
            used.add(param)
        elif isinstance(param, datetime.date | datetime.time) or _is_marker(param, places, seconds):
            return None
        else:
            kept.append((None, param))
    if used != set(places):
        return None
    return _Query(first, compiler, sql, kept)


def _is_marker(param, places, seconds):
    """A parameter the same in both compiles that is a marker all the same (a constant that happens to be one)."""
    try:
        return param in places or param in seconds
    except TypeError:  # a list or another unhashable value: no marker
        return False


def kept_query(build):
    """``build(*args)`` (a function that returns a queryset) made into one that returns its rows as a list, with
    the queryset built and compiled once per connection, language and shape of the arguments.

    ``build`` must depend on its arguments alone: it runs twice with markers in their place (ints and strs, or
    lists of them; a bool or None is passed as it is). When the compiled statement does not take the markers
    as its parameters unchanged, the queryset is built and evaluated on each call, as before.
    """

    alias = []  # the database its querysets read, known once one is built

    @functools.wraps(build)
    def rows(*args):
        marked = _arguments(args)
        if marked is None:
            return list(build(*args))
        markers, shape, places = marked
        key = (build, get_language(), shape)
        query = connections[alias[0]].__dict__.get(_KEPT_QUERIES, {}).get(key, False) if alias else False
        if query is False:
            others, _shape, seconds = _arguments(args, variant=1)
            try:
                first, second = build(*markers), build(*others)
            except (ValueError, TypeError):  # the markers do not fit where the arguments go (int("…"))
                return list(build(*args))
            alias[:] = [first.db]
            kept = connections[first.db].__dict__.setdefault(_KEPT_QUERIES, {})
            if len(kept) >= MAX_KEPT:
                kept.clear()
            query = kept[key] = compile_query(first, second, places, seconds)
        if query is None:
            return list(build(*args))
        return query.rows(args)

    return rows
