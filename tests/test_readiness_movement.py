"""The readiness warning for recommendations listed again without a movement assessment.

The cast: a coordinator (publishes 2025, starts 2026), the editors of UNICEF (chapter A) and
Defence for Children (chapter B). A recommendation the previous published edition listed too
needs its movement assessed; one listed for the first time has nothing to move from.
"""

import pytest
from django.urls import reverse

from kib.workflow import readiness, services
from tests import factories as f
from themes.models import ChapterRecommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


def approve(chapter, editor, coordinator):
    services.submit_chapter(chapter, by=editor)
    chapter.refresh_from_db()
    services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)


def movement_problems(edition):
    return [p for p in readiness.check(edition) if p.rule == "movement"]


@pytest.fixture
def next_edition(cast):
    """2025 published with chapter A listing 15b and 22d; 2026 started from it (copies start unassessed)."""
    cast.r15b = f.recommendation("15b")
    cast.r22d = f.recommendation("22d", co=cast.r15b.concluding_observations)
    for recommendation in (cast.r15b, cast.r22d):
        ChapterRecommendation.objects.create(chapter=cast.chapter_a, recommendation=recommendation)
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    approve(cast.chapter_b, cast.editor_b, cast.coordinator)
    assert movement_problems(cast.edition) == []  # the first edition: nothing to assess against
    services.publish_edition(cast.edition, by=cast.coordinator)
    new = services.start_next_edition(cast.edition, by=cast.coordinator)
    cast.new = new
    cast.new_a = new.chapters.get(theme=cast.chapter_a.theme)
    cast.new_b = new.chapters.get(theme=cast.chapter_b.theme)
    return cast


def test_recommendations_listed_again_without_assessment_are_a_warning_linked_to_the_section(next_edition):
    cast = next_edition
    problems = movement_problems(cast.new)
    assert [(p.chapter_id, p.blocking) for p in problems] == [(cast.new_a.pk, False)]
    assert "2 aanbevelingen (15b, 22d)" in problems[0].message and "beweging" in problems[0].message
    assert problems[0].url == f"/admin/themes/chapter/{cast.new_a.pk}/change/?sectie=aanbevelingen"
    assert problems[0].url == reverse("admin:themes_chapter_change", args=[cast.new_a.pk]) + "?sectie=aanbevelingen"


def test_an_assessed_recommendation_is_no_longer_listed(next_edition):
    cast = next_edition
    ChapterRecommendation.objects.filter(chapter=cast.new_a, recommendation=cast.r15b).update(movement="progress")
    problems = movement_problems(cast.new)
    assert len(problems) == 1 and "aanbeveling 22d" in problems[0].message and "15b" not in problems[0].message
    ChapterRecommendation.objects.filter(chapter=cast.new_a).update(movement="unclear")
    assert movement_problems(cast.new) == []


def test_a_recommendation_listed_for_the_first_time_needs_no_assessment(next_edition):
    cast = next_edition
    ChapterRecommendation.objects.filter(chapter=cast.new_a).update(movement="no_change")
    new_one = f.recommendation("41(i)", co=cast.r15b.concluding_observations)
    ChapterRecommendation.objects.create(chapter=cast.new_b, recommendation=new_one)
    assert movement_problems(cast.new) == []


def test_an_edition_in_preparation_does_not_count_as_the_previous_edition(cast):
    """2026 started beside a 2025 that is not published: 2025's listing is no earlier edition."""
    recommendation = f.recommendation("15b")
    ChapterRecommendation.objects.create(chapter=cast.chapter_a, recommendation=recommendation)
    later = f.chapter(edition=f.edition(year=2026), theme=cast.chapter_a.theme)
    ChapterRecommendation.objects.create(chapter=later, recommendation=recommendation)
    assert movement_problems(later.edition) == []


def test_publishing_over_unassessed_recommendations_needs_a_reason(next_edition):
    cast = next_edition
    ChapterRecommendation.objects.filter(chapter=cast.new_a, recommendation=cast.r15b).update(movement="progress")
    from kib.workflow.models import CarriedOver

    services.confirm_carried_over(list(CarriedOver.objects.filter(chapter=cast.new_a)), cast.editor_a, chapter=cast.new_a)
    services.confirm_carried_over(list(CarriedOver.objects.filter(chapter=cast.new_b)), cast.editor_b, chapter=cast.new_b)
    approve(cast.new_a, cast.editor_a, cast.coordinator)
    approve(cast.new_b, cast.editor_b, cast.coordinator)
    with pytest.raises(services.NotReady) as refused:
        services.publish_edition(cast.new, by=cast.coordinator)
    assert [p.rule for p in refused.value.problems] == ["movement"] and "22d" in str(refused.value)
    entry = services.publish_edition(cast.new, by=cast.coordinator, reason="22d beoordelen we in de correctie.")
    assert "22d" in entry.comment
