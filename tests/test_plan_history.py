"""Planning in bulk is recorded in the chapters' history as the planner's change.

``plan_chapters`` writes with ``update()``; without its own history record the next save of the
chapter (an editor's) showed the new deadline and lead as that editor's change, and the
version compare had no moment "as planned".
"""

import datetime

import pytest

from kib.workflow import services
from tests import factories as f
from themes.models import Chapter

pytestmark = pytest.mark.django_db


def test_planning_is_a_history_record_by_the_coordinator_and_the_next_save_is_not_blamed_for_it():
    cast = f.workflow_cast()
    deadline = datetime.date(2025, 6, 1)
    services.plan_chapters([cast.chapter_a, cast.chapter_b], by=cast.coordinator, deadline=deadline, lead_organisation=cast.defence)

    for chapter in (cast.chapter_a, cast.chapter_b):
        newest = Chapter.history.filter(id=chapter.pk).order_by("-history_id").first()
        assert (newest.history_user, newest.history_type, newest.deadline, newest.lead_organisation_id) == (
            cast.coordinator,
            "~",
            deadline,
            cast.defence.pk,
        )

    chapter = Chapter.objects.get(pk=cast.chapter_a.pk)
    chapter._history_user = cast.editor_b
    chapter.summary = "<p>Nieuwe tekst</p>"
    chapter.save()
    saved = Chapter.history.filter(id=chapter.pk).order_by("-history_id").first()
    changed = {change.field for change in saved.diff_against(saved.prev_record).changes}
    assert "summary" in changed and "deadline" not in changed and "lead_organisation" not in changed
