""" "Mijn werk", the admin start page, and "wijzigingen gevraagd" as a status of its own.

The cast: the editor of UNICEF (chapter A), the editor of Defence for Children (chapter B), two
coordinators (four eyes: the one who wrote a version does not review it).
"""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kib.workflow import services
from kib.workflow.dashboard import deadline_text
from tests import factories as f
from themes.models import Chapter

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


def page(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def sent_back(cast, chapter, editor, text="Graag de cijfers van 2024."):
    services.submit_chapter(chapter, by=editor)
    services.request_changes(chapter, by=cast.coordinator, comment=text)
    chapter.refresh_from_db()


def test_the_admin_start_page_is_my_work_and_the_tables_are_one_click_away(client, cast):
    html = page(client, cast.editor_a).content.decode()
    assert "Mijn werk" in html and reverse("admin:tables") in html
    tables = client.get(reverse("admin:tables")).content.decode()
    assert reverse("admin:themes_chapter_changelist") in tables


def test_editor_sees_own_chapters_sent_back_first_with_the_comment_and_days_left(client, cast):
    today = timezone.localdate()
    other = f.chapter(edition=cast.edition, lead_organisation=cast.unicef, deadline=today + datetime.timedelta(days=2))
    Chapter.objects.filter(pk=cast.chapter_a.pk).update(deadline=today + datetime.timedelta(days=9))
    sent_back(cast, cast.chapter_a, cast.editor_a, "Graag de cijfers van 2024.")
    response = page(client, cast.editor_a)
    to_do = response.context["to_do"]
    assert [c.pk for c in to_do] == [cast.chapter_a.pk, other.pk]  # sent back first, though due later
    assert to_do[0].status_label == "wijzigingen gevraagd" and to_do[0].deadline_text == "nog 9 dagen"
    html = response.content.decode()
    assert "Graag de cijfers van 2024." in html and "#comment-" in html
    assert cast.chapter_b.display_title not in html.split('id="my-chapters"')[1].split("</section>")[0]


def test_late_is_written_out(cast):
    today = datetime.date(2025, 6, 10)
    assert deadline_text(datetime.date(2025, 6, 7), Chapter.State.DRAFT, today) == "te laat: 3 dagen"
    assert deadline_text(datetime.date(2025, 6, 9), Chapter.State.SUBMITTED, today) == "te laat: 1 dag"
    assert deadline_text(datetime.date(2025, 6, 10), Chapter.State.DRAFT, today) == "vandaag"
    assert deadline_text(datetime.date(2025, 6, 11), Chapter.State.DRAFT, today) == "nog 1 dag"
    assert deadline_text(datetime.date(2025, 6, 1), Chapter.State.APPROVED, today) == ""


def test_coordinator_sees_what_waits_for_review_but_not_what_they_wrote(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    services.record_revision(cast.chapter_b.pk, cast.coordinator)  # the coordinator wrote B's current version
    services.submit_chapter(cast.chapter_b, by=cast.coordinator)
    Chapter.objects.filter(pk=cast.chapter_b.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=4))
    response = page(client, cast.coordinator)
    assert [c.pk for c in response.context["to_review"]] == [cast.chapter_a.pk]
    assert [c.pk for c in response.context["own_submitted"]] == [cast.chapter_b.pk]
    assert [c.pk for c in response.context["late"]] == [cast.chapter_b.pk]
    html = response.content.decode()
    assert "te laat: 4 dagen" in html and 'id="readiness"' in html
    other = page(client, cast.coordinator_2)
    assert {c.pk for c in other.context["to_review"]} == {cast.chapter_a.pk, cast.chapter_b.pk}


def test_each_missing_item_links_to_where_it_is_fixed(client, cast):
    response = page(client, cast.coordinator)
    gaps = {str(g): g.url for c in response.context["with_gaps"] for g in c.missing}
    change = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    assert gaps["leeg: focus"] == change + "#id_focus" or gaps["leeg: focus"].endswith("#id_focus")
    assert f'href="{change}#id_focus"' in response.content.decode()


def test_sent_back_is_a_status_in_the_list_filter_and_on_the_dashboard(client, cast):
    sent_back(cast, cast.chapter_a, cast.editor_a)
    client.force_login(cast.coordinator)
    changelist = reverse("admin:themes_chapter_changelist")
    listed = client.get(changelist, {"status": "changes_requested"})
    assert [c.pk for c in listed.context["cl"].result_list] == [cast.chapter_a.pk]
    drafts = client.get(changelist, {"status": "draft"})
    assert [c.pk for c in drafts.context["cl"].result_list] == [cast.chapter_b.pk]
    assert "wijzigingen gevraagd" in listed.content.decode()
    dashboard = client.get(reverse("admin:workflow_dashboard", args=[2025])).content.decode()
    assert 'state-changes_requested">wijzigingen gevraagd' in dashboard
    # Submitted again: no longer "sent back".
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    assert not client.get(changelist, {"status": "changes_requested"}).context["cl"].result_list


def test_the_reminder_of_a_chapter_sent_back_says_so_and_how_late(cast, django_capture_on_commit_callbacks):
    sent_back(cast, cast.chapter_a, cast.editor_a)
    Chapter.objects.filter(pk=cast.chapter_a.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=2))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", verbosity=0)
    body = next(m.body for m in mail.outbox if "redactie@unicef.example.org" in m.to)
    assert "wijzigingen gevraagd" in body and "te laat: 2 dagen" in body


@pytest.mark.parametrize("role", ["coordinator", "editor_a"])
def test_my_work_does_not_query_per_chapter(client, cast, role):
    user = getattr(cast, role)
    client.force_login(user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        chapter = f.chapter(edition=cast.edition, lead_organisation=cast.unicef, focus="Armoede")
        services.add_comment(chapter, cast.coordinator, "Graag een bron.")
        sent_back(cast, chapter, cast.editor_a)
    assert count() == before
    assert before <= 25, before
