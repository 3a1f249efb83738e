"""``themes.layout.load_printed_parts`` leaves each chapter's related rows as ``prefetch_related`` would."""

import pytest

from themes.layout import PRINTED_WITH_CHAPTER, load_printed_parts
from themes.models import Chapter, Figure

pytestmark = pytest.mark.django_db

RELATED = ["figures", "chapter_recommendations", "citations", "data_gaps"]


def pks(rows):
    return [row.pk for row in rows]


@pytest.mark.parametrize("public_only", [False, True])
def test_each_chapters_related_rows_answer_from_memory_and_as_a_fresh_query(demo_db, public_only, django_assert_num_queries):
    chapters = list(Chapter.objects.order_by("pk").select_related(*PRINTED_WITH_CHAPTER))
    fresh = {
        chapter.pk: {name: pks(getattr(Chapter.objects.get(pk=chapter.pk), name).all()) for name in RELATED}
        for chapter in chapters
    }
    series = {
        figure.pk: pks(figure.chart.series.all())
        for figure in Figure.objects.filter(chapter__in=chapters).select_related("chart")
        if getattr(figure, "chart", None)
    }
    load_printed_parts(chapters, public_only=public_only)
    with django_assert_num_queries(0):
        for chapter in chapters:
            assert {name: pks(getattr(chapter, name).all()) for name in RELATED} == fresh[chapter.pk]
            for name in RELATED:
                assert all(row.chapter is chapter for row in getattr(chapter, name).all())
                assert getattr(chapter, name).count() == len(fresh[chapter.pk][name])
            for figure in chapter.figures.all():
                chart = getattr(figure, "chart", None)
                if chart is not None:
                    assert pks(chart.series.all()) == series[figure.pk]
                    assert all(link.chart is chart and link.indicator.code for link in chart.series.all())
                    if public_only:
                        chart.snapshot  # noqa: B018 (fetched with the chart, or known to be missing)
    assert sum(len(ids) for ids in series.values()) > 10
    assert any(not ids for rows in fresh.values() for ids in rows.values()), "a chapter without some of them too"
    # A further query on them is a query of that chapter's rows, as it would be after prefetch_related.
    chapter = next(chapter for chapter in chapters if len(fresh[chapter.pk]["figures"]) > 1)
    first = chapter.figures.all()[0]
    assert pks(chapter.figures.filter(number=first.number)) == pks(Chapter.objects.get(pk=chapter.pk).figures.filter(number=first.number))
    assert pks(chapter.figures.exclude(pk=first.pk)) == fresh[chapter.pk]["figures"][1:]
