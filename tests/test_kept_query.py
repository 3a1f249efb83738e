"""``kib.db.rows.kept_query``: a page's queryset built and compiled once per connection, its rows as the queryset gives them."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone, translation

from indicators.models import DataGap, Indicator, Observation
from kib.db.rows import kept_query
from kib.models import Edition
from recommendations.models import Recommendation
from themes.models import Chapter, DevelopmentGroup

pytestmark = pytest.mark.django_db


def as_stored(rows):
    """Model rows as every field's value with its type; plain values as they are, with their types."""
    out = []
    for row in rows:
        if hasattr(row, "_meta"):
            out.append([(f.attname, type(getattr(row, f.attname)), getattr(row, f.attname)) for f in row._meta.concrete_fields])
        elif isinstance(row, dict):
            out.append(sorted((k, type(v), v) for k, v in row.items()))
        else:
            out.append((type(row), row))
    return out


def _rows_of_indicator(indicator_id, public):
    return Observation.objects.filter(indicator=indicator_id, public=public).order_by("pk")


def _periods(indicator_id):
    return Observation.objects.public().filter(indicator=indicator_id).order_by().values_list("period", flat=True).distinct()


def _cells(indicator_id, periods):
    rows = Observation.objects.filter(indicator=indicator_id, period__in=periods).order_by("pk")
    return rows.values_list("period", "territory", "value", "public")


def _as_dicts(indicator_id):
    return Observation.objects.filter(indicator=indicator_id).order_by("-pk").values("period", "value", "indicator__code")


def _published_chapters(year, slugs):
    chapters = Chapter.objects.published().select_related("edition", "theme").filter(edition__year=year)
    return chapters.filter(theme__slug__in=slugs).annotate(figures_count=Count("figures")).order_by("theme__number")


def _gaps_with_chapters(year):
    gaps = DataGap.objects.filter(chapter__edition__year=year).order_by("pk")
    return gaps.select_related("chapter__edition").prefetch_related("chapter__figures")


def _recommendation(co, code):
    return Recommendation.objects.published().select_related("theme").filter(concluding_observations_id=co, code=code)


BUILDERS = [_rows_of_indicator, _periods, _cells, _as_dicts, _published_chapters, _gaps_with_chapters, _recommendation]


def calls(demo):
    """Arguments for each builder: several values of each shape, some that find nothing."""
    indicators = list(Observation.objects.order_by("indicator").values_list("indicator", flat=True).distinct())
    periods = sorted(set(Observation.objects.values_list("period", flat=True)))
    own_periods = {pk: sorted(set(Observation.objects.filter(indicator=pk).values_list("period", flat=True))) for pk in indicators[:5]}
    slugs = list(Chapter.objects.values_list("theme__slug", flat=True).distinct())
    recommendations = list(Recommendation.objects.values_list("concluding_observations_id", "code")[:6])
    return {
        _rows_of_indicator: [(pk, public) for pk in indicators[:4] for public in (True, False)] + [(-5, True)],
        _periods: [(pk,) for pk in indicators[:6]] + [(-5,)],
        _cells: [(pk, own[:2]) for pk, own in own_periods.items()]
        + [(pk, own[-3:]) for pk, own in own_periods.items()]
        + [(indicators[0], periods[:1])],
        _as_dicts: [(pk,) for pk in indicators[:3]],
        _published_chapters: [(demo.year, slugs[:2]), (demo.year, slugs[2:4]), (demo.year, slugs[:5]), (1990, slugs[:2])],
        _gaps_with_chapters: [(demo.year,), (1990,)],
        _recommendation: [*recommendations, (recommendations[0][0], "no-such-code")],
    }


@pytest.fixture
def demo(demo_db):
    return Edition.objects.published().order_by("-year").first()


@pytest.mark.parametrize("build", BUILDERS, ids=[build.__name__ for build in BUILDERS])
def test_the_rows_are_the_querysets_rows_value_for_value(demo, build):
    kept = kept_query(build)
    found = 0
    for args in calls(demo)[build]:
        expected = list(build(*args))
        rows = kept(*args)
        assert as_stored(rows) == as_stored(expected), (build.__name__, args)
        found += len(rows)
    assert found, f"the demo has rows for {build.__name__}"


def test_annotations_select_related_and_prefetches_come_along(demo, django_assert_num_queries):
    slugs = list(Chapter.objects.filter(edition=demo).values_list("theme__slug", flat=True))[:3]
    kept = kept_query(_published_chapters)
    kept(demo.year, slugs)
    with django_assert_num_queries(1):  # the chapters with their edition, theme and count of figures
        rows = kept(demo.year, slugs)
        shown = [(c.edition.year, c.theme.slug, c.figures_count) for c in rows]
    assert shown == [(c.edition.year, c.theme.slug, c.figures_count) for c in _published_chapters(demo.year, slugs)]
    assert any(c.figures_count for c in rows)
    gaps = kept_query(_gaps_with_chapters)
    gaps(demo.year)
    with django_assert_num_queries(2):  # the rows with their chapter and edition, then the prefetch
        rows = gaps(demo.year)
    with django_assert_num_queries(0):
        years = [gap.chapter.edition.year for gap in rows]
        figures = [len(gap.chapter.figures.all()) for gap in rows]
    assert years and years == [gap.chapter.edition.year for gap in _gaps_with_chapters(demo.year)]
    assert figures == [gap.chapter.figures.count() for gap in rows]


def test_it_is_built_and_compiled_once_per_shape(demo, django_assert_num_queries):
    indicators = list(Observation.objects.values_list("indicator", flat=True).distinct()[:3])
    periods = sorted(set(Observation.objects.values_list("period", flat=True)))
    kept = kept_query(_cells)
    kept(indicators[0], periods[:2])
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        with django_assert_num_queries(1):
            rows = kept(indicators[1], periods[2:4])  # other values, the same shape: only run
        assert as_sql.call_count == 0
        kept(indicators[1], periods[:3])  # three periods: another shape, compiled for it (twice, once per set of markers)
        assert as_sql.call_count == 2
        kept(indicators[2], periods[3:6])
        assert as_sql.call_count == 2
        with translation.override("en"):  # another language: compiled again (a translated value may be in it)
            kept(indicators[1], periods[2:4])
        assert as_sql.call_count == 4
    assert rows == list(_cells(indicators[1], periods[2:4]))


def _iexact(code):
    return Indicator.objects.filter(code__iexact=code)


def _contains(word):
    return Chapter.objects.filter(summary__icontains=word).order_by("pk")


def _plus_one(indicator_id):
    return Observation.objects.filter(indicator=indicator_id + 1)


def _first(indicator_id, count):
    return Observation.objects.filter(indicator=indicator_id).order_by("pk")[:count]


def _published_before_now(year):
    return Edition.objects.filter(year__gte=year, published_at__lte=timezone.now())


def _published_since_2020(year):
    return Edition.objects.filter(year__gte=year, published_at__gte=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))


def _null(year, missing):
    return DataGap.objects.filter(chapter__edition__year=year, recommendation__isnull=missing).order_by("pk")


def _by_string_for_a_number(value):
    return Observation.objects.filter(indicator=value)


def _wildcards():
    """A real code with a wildcard for a letter and one at the end: matches nothing unless taken as a pattern."""
    code = Indicator.objects.filter(code__contains="-").values_list("code", flat=True).first()
    return (code.replace("-", "_", 1)[:-2] + "%",)


@pytest.mark.parametrize(
    ("build", "args", "rebuilt"),
    [
        # LIKE with the wildcards escaped on SQLite: the marker is changed, so not kept (PostgreSQL compares UPPER()s)
        (_iexact, _wildcards, False),
        (_contains, lambda: ("jeugd",), True),
        (_plus_one, lambda: (Observation.objects.values_list("indicator", flat=True).first() - 1,), True),
        (_first, lambda: (Observation.objects.values_list("indicator", flat=True).first(), 3), True),  # LIMIT 3
        (_published_before_now, lambda: (2020,), True),  # a moment of its own: another in each compile
    ],
    ids=["iexact", "icontains", "arithmetic", "limit", "now"],
)
def test_a_queryset_that_changes_its_arguments_is_not_kept_and_still_right(demo, build, args, rebuilt):
    args = args()
    kept = kept_query(build)
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        for _ in range(3):
            rows = kept(*args)
    if rebuilt or connection.vendor == "sqlite":
        assert as_sql.call_count >= 3, "built and compiled on each call"
    assert as_stored(rows) == as_stored(build(*args))
    assert build is not _iexact or rows == [], "the wildcards are letters, not patterns"
    assert build is _iexact or rows, "the demo has rows for it"


def test_a_fixed_moment_is_kept_as_a_value_of_the_querys_own(demo, django_assert_num_queries):
    kept = kept_query(_published_since_2020)
    assert as_stored(kept(2020)) == as_stored(_published_since_2020(2020))
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        rows = kept(2024)
        assert as_sql.call_count == (1 if connection.vendor == "postgresql" else 0)  # a datetime: not kept there
    assert rows and as_stored(rows) == as_stored(_published_since_2020(2024))


def test_bools_and_none_are_part_of_the_shape(demo):
    kept = kept_query(_null)
    found = {missing: kept(demo.year, missing) for missing in (True, False)}
    assert found[True] and found[False], "the demo has gaps with and without a recommendation"
    for missing in (True, False, True):
        assert as_stored(kept(demo.year, missing)) == as_stored(_null(demo.year, missing))
    kept_rows = kept_query(_rows_of_indicator)
    indicator = Observation.objects.values_list("indicator", flat=True).first()
    for public in (True, False):
        assert as_stored(kept_rows(indicator, public)) == as_stored(_rows_of_indicator(indicator, public))


def test_an_argument_that_does_not_fit_is_built_as_usual(demo):
    kept = kept_query(_by_string_for_a_number)
    indicator = Observation.objects.values_list("indicator", flat=True).first()
    assert as_stored(kept(str(indicator))) == as_stored(_by_string_for_a_number(indicator))
    with pytest.raises(ValueError):
        kept("not a number")


def test_the_group_codes_are_kept_too(demo):
    groups = list(DevelopmentGroup.objects.filter(chapter__edition=demo))
    DevelopmentGroup.load_linked_codes(groups)
    assert any(group.linked_codes for group in groups)
    for group in groups:
        assert group.linked_codes == [r.code for r in group.recommendations.order_by("sort_key", "concluding_observations", "pk")]
