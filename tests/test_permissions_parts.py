"""Scoping reaches everything that hangs off a chapter, and the freeze of a published edition binds everybody."""

import json

import pytest
from django.urls import reverse

from kib.models import Edition, Source
from kib.workflow import services
from tests import factories as f
from tests.test_permissions import form_data, snapshot
from themes.models import Chapter, Citation, Figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    cast.figure_a = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen UNICEF", source_line="CBS")
    cast.figure_b = Figure.objects.create(
        chapter=cast.chapter_b, number=1, title="Meldingen Defence", source_line="CBS"
    )
    return cast


def figure_url(figure, action="change"):
    return reverse(f"admin:themes_figure_{action}", args=[figure.pk])


def post_unchanged_form(client, url, **changes):
    """GET the change form as the logged-in user, change some fields, POST it back."""
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def publish(edition):
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.PUBLISHED)
    Chapter.objects.filter(edition=edition).update(state=Chapter.State.APPROVED)


def test_editor_changes_own_chapter_only_while_it_is_a_draft(client, cast):
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    data = form_data(client.get(url))
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    before = snapshot()
    data["summary"] = "<p>Nog snel iets</p>"
    assert client.post(url, data).status_code == 403
    assert snapshot() == before
    response = client.get(url)
    assert response.status_code == 200 and not response.context["has_change_permission"]


def test_editor_cannot_reassign_a_chapter(client, cast):
    client.force_login(cast.editor_a)
    response = post_unchanged_form(
        client, reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]), lead_organisation=cast.defence.pk
    )
    assert response.status_code == 302
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.lead_organisation == cast.unicef


def test_nobody_changes_a_published_edition_not_even_a_superuser(client, cast):
    superuser = f.user(is_superuser=True)
    client.force_login(superuser)
    chapter_url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    chapter_data = form_data(client.get(chapter_url))
    figure_data = form_data(client.get(figure_url(cast.figure_a)))
    edition_url = reverse("admin:kib_edition_change", args=[cast.edition.pk])
    edition_data = form_data(client.get(edition_url))
    publish(cast.edition)
    before = snapshot()
    chapter_data["summary"] = figure_data["title"] = edition_data["title"] = "Gewijzigd"
    for user in (superuser, cast.coordinator, cast.editor_a):
        client.force_login(user)
        assert client.post(chapter_url, chapter_data).status_code == 403
        assert client.post(figure_url(cast.figure_a), figure_data).status_code == 403
        assert client.post(figure_url(cast.figure_a, "delete"), {"post": "yes"}).status_code == 403
    client.force_login(superuser)
    assert client.post(edition_url, edition_data).status_code == 403
    record = cast.chapter_a.history.earliest()
    revert_url = reverse("admin:themes_chapter_simple_history", args=[cast.chapter_a.pk, record.history_id])
    assert client.post(revert_url, chapter_data).status_code == 403
    assert snapshot() == before
    response = client.get(chapter_url)
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert "alleen tijdens een correctie" in response.content.decode()


def test_a_correction_lets_coordinators_change_the_published_edition(client, cast):
    publish(cast.edition)
    services.open_correction(cast.edition, by=cast.coordinator, reason="Typfout")
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    client.force_login(cast.coordinator)
    assert post_unchanged_form(client, url, summary="<p>Verbeterd</p>").status_code == 302
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.summary == "<p>Verbeterd</p>" and cast.chapter_a.state == Chapter.State.APPROVED
    client.force_login(cast.editor_a)
    response = client.get(url)
    assert not response.context["has_change_permission"]


def test_editor_sees_only_the_parts_of_own_chapters(client, cast):
    client.force_login(cast.editor_a)
    response = client.get(reverse("admin:themes_figure_changelist"))
    assert list(response.context["cl"].result_list) == [cast.figure_a]
    assert client.get(figure_url(cast.figure_a)).status_code == 200
    assert client.get(figure_url(cast.figure_b)).status_code == 302
    assert client.get(reverse("admin:themes_figure_history", args=[cast.figure_b.pk])).status_code == 404


def test_saving_a_part_counts_as_a_save_of_its_chapter(client, cast):
    client.force_login(cast.editor_a)
    response = post_unchanged_form(client, figure_url(cast.figure_a), title="Meldingen 2024")
    assert response.status_code == 302
    cast.chapter_a.refresh_from_db()
    assert (cast.chapter_a.version, cast.chapter_a.revised_by) == (2, cast.editor_a)


def test_foreign_key_choices_offer_only_chapters_the_user_may_edit(client, cast):
    client.force_login(cast.editor_a)
    form = client.get(reverse("admin:themes_figure_add")).context["adminform"].form
    assert list(form.fields["chapter"].queryset) == [cast.chapter_a]
    client.force_login(cast.coordinator)
    form = client.get(reverse("admin:themes_figure_add")).context["adminform"].form
    assert set(form.fields["chapter"].queryset) == {cast.chapter_a, cast.chapter_b}


def test_editor_cannot_add_a_part_to_another_organisations_chapter(client, cast):
    client.force_login(cast.editor_a)
    before = snapshot()
    response = client.post(
        reverse("admin:themes_figure_add"), {"chapter": cast.chapter_b.pk, "number": 2, "title": "Ingeslopen"}
    )
    assert response.status_code == 200 and "chapter" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_autocomplete_offers_only_reachable_sources(client, cast):
    own = Source.objects.create(url="https://example.org/eigen", title="Rapport eigen")
    other = Source.objects.create(url="https://example.org/ander", title="Rapport ander")
    fresh = Source.objects.create(url="https://example.org/nieuw", title="Rapport nieuw")
    Citation.objects.create(source=own, chapter=cast.chapter_a, target=cast.figure_a)
    Citation.objects.create(source=other, chapter=cast.chapter_b, target=cast.figure_b)
    client.force_login(cast.editor_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "themes", "model_name": "citation", "field_name": "source", "term": "Rapport"},
    )
    found = {int(r["id"]) for r in json.loads(response.content)["results"]}
    assert found == {own.pk, fresh.pk}


def test_editor_does_not_change_a_source_cited_by_another_organisation(client, cast):
    shared = Source.objects.create(url="https://example.org/gedeeld", title="Gedeeld")
    Citation.objects.create(source=shared, chapter=cast.chapter_a, target=cast.figure_a)
    Citation.objects.create(source=shared, chapter=cast.chapter_b, target=cast.figure_b)
    client.force_login(cast.editor_a)
    url = reverse("admin:kib_source_change", args=[shared.pk])
    assert not client.get(url).context["has_change_permission"]
    assert client.post(url, {"url": shared.url, "title": "Anders"}).status_code == 403
    shared.refresh_from_db()
    assert shared.title == "Gedeeld"


def test_bulk_delete_stops_at_objects_the_user_may_not_delete(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_figure_changelist")
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": [cast.figure_a.pk, cast.figure_b.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert Figure.objects.count() == 2
    response = client.post(url, {"action": "delete_selected", "_selected_action": [cast.figure_a.pk]})
    assert response.status_code == 200 and response.context["perms_lacking"]


def test_bulk_delete_of_own_draft_parts_works_and_ignores_other_organisations(client, cast):
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_figure_changelist")
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": [cast.figure_a.pk, cast.figure_b.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert list(Figure.objects.all()) == [cast.figure_b]
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.version == 2


@pytest.mark.parametrize("url_name", ["auth_user_changelist", "kib_organisation_changelist"])
def test_administrators_manage_accounts_and_organisations_editors_do_not(client, cast, url_name):
    client.force_login(cast.administrator)
    assert client.get(reverse(f"admin:{url_name}")).status_code == 200
    client.force_login(cast.editor_a)
    assert client.get(reverse(f"admin:{url_name}")).status_code == 403


def test_the_log_shows_editors_only_their_own_chapters(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    services.submit_chapter(cast.chapter_b, by=cast.editor_b)
    client.force_login(cast.editor_a)
    entries = client.get(reverse("admin:workflow_auditentry_changelist")).context["cl"].result_list
    assert [e.object_id for e in entries] == [cast.chapter_a.pk]
    client.force_login(cast.coordinator)
    assert len(client.get(reverse("admin:workflow_auditentry_changelist")).context["cl"].result_list) == 2
