"""Planning in bulk and starting the next edition as a confirmed form.

The cast: a coordinator plans; the editor of UNICEF may not; chapter A (UNICEF) and chapter B
(Defence for Children) in the 2025 edition.
"""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from kib.models import Edition
from kib.workflow import services
from kib.workflow.models import AuditEntry
from tests import factories as f
from themes.models import Chapter

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2025, 6, 1)


@pytest.fixture
def cast():
    return f.workflow_cast()


def approve(chapter, editor, coordinator):
    services.submit_chapter(chapter, by=editor)
    chapter.refresh_from_db()
    services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)


def plan(client, chapters, **data):
    return client.post(
        reverse("admin:themes_chapter_changelist"),
        {"action": "plan_chapters", ACTION_CHECKBOX_NAME: [c.pk for c in chapters], "apply": "1", **data},
        follow=True,
    )


def test_coordinator_sets_deadline_lead_and_contributors_of_many_chapters_at_once(client, cast):
    third = f.chapter(edition=cast.edition)
    save = f.organisation("Save the Children")
    client.force_login(cast.coordinator)
    versions = {c.pk: c.version for c in Chapter.objects.all()}
    response = plan(
        client,
        [cast.chapter_a, cast.chapter_b, third],
        set_deadline="on",
        deadline="2025-06-01",
        set_lead="on",
        lead_organisation=save.pk,
        contributing_mode="add",
        contributing=[cast.defence.pk],
    )
    assert "Gepland:" in response.content.decode()
    for chapter in Chapter.objects.all():
        assert (chapter.deadline, chapter.lead_organisation, chapter.version) == (DEADLINE, save, versions[chapter.pk] + 1)
        assert list(chapter.contributing_organisations.all()) == [cast.defence]
        assert AuditEntry.objects.for_object(chapter).filter(action="plan").count() == 1


def test_approved_and_frozen_chapters_are_refused_and_named_the_rest_is_done(client, cast):
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    old = f.edition(year=2024)
    frozen = f.chapter(edition=old)
    f.publish(old)
    client.force_login(cast.coordinator)
    html = plan(client, [cast.chapter_a, cast.chapter_b, frozen], set_deadline="on", deadline="2025-06-01").content.decode()
    assert "Niet gewijzigd:" in html and "goedgekeurd; heropen het eerst" in html and "de editie is gepubliceerd" in html
    assert f"Gepland: {cast.chapter_b}" in html
    assert Chapter.objects.get(pk=cast.chapter_b.pk).deadline == DEADLINE
    assert Chapter.objects.get(pk=cast.chapter_a.pk).deadline is None
    assert Chapter.objects.get(pk=frozen.pk).deadline is None


def test_planning_without_choosing_anything_changes_nothing_and_says_why(client, cast):
    client.force_login(cast.coordinator)
    html = plan(client, [cast.chapter_a]).content.decode()
    assert "Kies wat u wilt wijzigen" in html
    assert not AuditEntry.objects.filter(action="plan").exists()


def test_editors_have_no_planning_action(client, cast):
    client.force_login(cast.editor_a)
    plan(client, [cast.chapter_a], set_deadline="on", deadline="2025-06-01")
    assert Chapter.objects.get(pk=cast.chapter_a.pk).deadline is None
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service itself
        services.plan_chapters([cast.chapter_a], by=cast.editor_a, deadline=DEADLINE)


def test_a_planned_chapter_refuses_a_stale_save(cast):
    seen = Chapter.objects.get(pk=cast.chapter_a.pk).version
    services.plan_chapters([cast.chapter_a], by=cast.coordinator, deadline=DEADLINE)
    with pytest.raises(services.ChapterChanged):
        services.record_revision(cast.chapter_a.pk, cast.editor_a, seen_version=seen)


# -- starting the next edition ---------------------------------------------------------------


@pytest.fixture
def published(cast):
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    approve(cast.chapter_b, cast.editor_b, cast.coordinator)
    services.publish_edition(cast.edition, by=cast.coordinator)
    return cast.edition


def test_starting_the_next_edition_asks_period_publication_date_and_deadline(client, cast, published):
    client.force_login(cast.coordinator)
    url = reverse("admin:kib_edition_workflow", args=[published.pk, "start-next"])
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"].initial["reporting_period_start"] == datetime.date(2025, 3, 1)
    data = {
        "reporting_period_start": "2025-04-01",
        "reporting_period_end": "2026-03-31",
        "publication_date": "2026-10-20",
        "deadline": "2026-06-15",
    }
    assert client.post(url, data).status_code == 200  # not confirmed: nothing happens
    assert not Edition.objects.filter(year=2026).exists()
    response = client.post(url, {**data, "confirm": "on"})
    new = Edition.objects.get(year=2026)
    assert response.status_code == 302 and response["Location"] == reverse("admin:workflow_dashboard", args=[2026])
    assert (new.reporting_period_start, new.reporting_period_end, new.publication_date) == (
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 10, 20),
    )
    assert set(new.chapters.values_list("deadline", flat=True)) == {datetime.date(2026, 6, 15)}


def test_a_period_ending_before_it_starts_is_refused_with_the_form_kept(client, cast, published):
    client.force_login(cast.coordinator)
    url = reverse("admin:kib_edition_workflow", args=[published.pk, "start-next"])
    data = {"reporting_period_start": "2026-04-01", "reporting_period_end": "2025-03-31", "confirm": "on"}
    html = client.post(url, data).content.decode()
    assert "eindigt vóór zij begint" in html and 'value="2026-04-01"' in html
    assert not Edition.objects.filter(year=2026).exists()


def test_editors_cannot_start_an_edition(client, cast, published):
    client.force_login(cast.editor_a)
    url = reverse("admin:kib_edition_workflow", args=[published.pk, "start-next"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on", "reporting_period_start": "2025-04-01"}).status_code == 403
    assert not Edition.objects.filter(year=2026).exists()
