"""History: who changed what and when, a field-by-field comparison, and restoring a revision."""

import pytest
from django.urls import reverse

from kib.workflow.models import AuditEntry
from kib.workflow.services import record_revision, submit_chapter
from tests import factories as f
from tests.test_permissions import change_url, form_data
from themes.models import Chapter, Figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(client):
    cast = f.workflow_cast()
    cast.url = change_url(cast.chapter_a)  # the summary's section
    client.force_login(cast.editor_a)
    for summary in ("<p>Eerste versie over armoede.</p>", "<p>Tweede versie over kinderarmoede in Nederland.</p>"):
        data = form_data(client.get(cast.url))
        data["summary"] = summary
        assert client.post(cast.url, data).status_code == 302
    return cast


def records(chapter):
    return list(Chapter.history.filter(id=chapter.pk).order_by("history_date"))


def test_history_lists_who_changed_the_chapter_and_when(client, cast):
    response = client.get(reverse("admin:themes_chapter_history", args=[cast.chapter_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("redacteur-unicef") >= 2 and 'name="old"' in html and 'name="new"' in html


def test_two_revisions_compare_field_by_field(client, cast):
    first, *_, last = records(cast.chapter_a)
    url = reverse("admin:themes_chapter_history_compare", args=[cast.chapter_a.pk])
    response = client.get(url, {"old": first.history_id, "new": last.history_id})
    assert response.status_code == 200
    [change] = response.context["changes"]
    assert change["field"] == "Zo staat het ervoor"
    assert (change["old"], change["new"]) == ("Tekst van UNICEF", "Tweede versie over kinderarmoede in Nederland.")
    assert "<del>" in change["diff"] and "<ins>" in change["diff"]
    middle = records(cast.chapter_a)[1]
    response = client.get(url, {"old": middle.history_id, "new": last.history_id})
    assert "<ins>kinderarmoede in Nederland.</ins>" in str(response.context["changes"][0]["diff"])


def test_another_organisation_cannot_compare_or_restore(client, cast):
    first, *_, last = records(cast.chapter_a)
    client.force_login(cast.editor_b)
    url = reverse("admin:themes_chapter_history_compare", args=[cast.chapter_a.pk])
    assert client.get(url, {"old": first.history_id, "new": last.history_id}).status_code == 404
    revert = reverse("admin:themes_chapter_simple_history", args=[cast.chapter_a.pk, first.history_id])
    assert client.get(revert).status_code == 404
    assert client.post(revert, {"summary": "x"}).status_code == 404


def test_restoring_a_revision_puts_its_text_back_through_the_lock(client, cast):
    first = records(cast.chapter_a)[1]
    revert = reverse("admin:themes_chapter_simple_history", args=[cast.chapter_a.pk, first.history_id])
    response = client.get(revert)
    assert response.status_code == 200
    data = form_data(response)
    assert data["summary"] == "<p>Eerste versie over armoede.</p>"
    assert client.post(revert, data).status_code == 302
    cast.chapter_a.refresh_from_db()
    assert (cast.chapter_a.summary, cast.chapter_a.state, cast.chapter_a.version) == (
        "<p>Eerste versie over armoede.</p>",
        Chapter.State.DRAFT,
        4,
    )
    entry = AuditEntry.objects.for_object(cast.chapter_a).get()
    assert (entry.action, entry.user) == ("restore", cast.editor_a)


def test_restore_is_refused_when_the_chapter_changed_since_the_page_was_opened(client, cast):
    first = records(cast.chapter_a)[1]
    revert = reverse("admin:themes_chapter_simple_history", args=[cast.chapter_a.pk, first.history_id])
    data = form_data(client.get(revert))
    record_revision(cast.chapter_a.pk, cast.coordinator)
    response = client.post(revert, data)
    assert response.status_code == 200 and "opgeslagen nadat u het opende" in response.content.decode()
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.summary == "<p>Tweede versie over kinderarmoede in Nederland.</p>"


def test_restoring_an_old_revision_does_not_undo_a_state_change(client, cast):
    first = records(cast.chapter_a)[1]
    submit_chapter(cast.chapter_a, by=cast.editor_a)
    client.force_login(cast.coordinator)
    revert = reverse("admin:themes_chapter_simple_history", args=[cast.chapter_a.pk, first.history_id])
    assert client.post(revert, form_data(client.get(revert))).status_code == 302
    cast.chapter_a.refresh_from_db()
    assert (
        cast.chapter_a.state == Chapter.State.SUBMITTED
        and cast.chapter_a.summary == "<p>Eerste versie over armoede.</p>"
    )


def test_the_chapter_history_shows_changes_to_its_parts(client, cast):
    figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen")
    url = reverse("admin:themes_figure_change", args=[figure.pk])
    data = form_data(client.get(url))
    data["source_line"] = "CBS, 2024"
    assert client.post(url, data).status_code == 302
    response = client.get(reverse("admin:themes_chapter_history", args=[cast.chapter_a.pk]))
    labels = [r.kib_label for r in response.context["part_changes"]]
    assert (
        labels[0] == "Figuur: Figuur 1. Meldingen" and response.context["part_changes"][0].history_user == cast.editor_a
    )
    figure_history = client.get(reverse("admin:themes_figure_history", args=[figure.pk]))
    assert figure_history.status_code == 200
