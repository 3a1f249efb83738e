"""No lost updates: the second of two people saving one chapter is refused, and keeps what they typed."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from kib.workflow import services
from tests import factories as f
from tests.test_permissions import form_data
from themes.models import Chapter, Definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


@pytest.fixture
def colleague(cast):
    return f.editor(cast.unicef, username="tweede-redacteur-unicef")


def open_form(client, user, chapter):
    client.force_login(user)
    return form_data(client.get(reverse("admin:themes_chapter_change", args=[chapter.pk])))


def test_second_save_is_refused_and_shows_the_typed_text_again(client, cast, colleague):
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    mine, theirs = open_form(client, cast.editor_a, cast.chapter_a), open_form(client, colleague, cast.chapter_a)
    theirs["summary"] = "<p>Tekst van de collega</p>"
    assert client.post(url, theirs).status_code == 302

    client.force_login(cast.editor_a)
    mine["summary"] = "<p>Mijn uitgebreide tekst</p>"
    response = client.post(url, mine)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "opgeslagen nadat u het opende" in errors and "tweede-redacteur-unicef" in errors
    assert "Mijn uitgebreide tekst" in response.content.decode()
    cast.chapter_a.refresh_from_db()
    assert (cast.chapter_a.summary, cast.chapter_a.version) == ("<p>Tekst van de collega</p>", 2)

    # Having seen the message, saving again is a deliberate choice, and works.
    again = form_data(response)
    assert again["chapter_version"] == "2" and again["summary"] == "<p>Mijn uitgebreide tekst</p>"
    assert client.post(url, again).status_code == 302
    cast.chapter_a.refresh_from_db()
    assert (cast.chapter_a.summary, cast.chapter_a.version) == ("<p>Mijn uitgebreide tekst</p>", 3)


def test_an_inline_item_saved_on_the_chapter_page_counts_as_a_chapter_save(client, cast, colleague):
    definition = Definition.objects.create(chapter=cast.chapter_a, question="Wat is armoede?", body="<p>Oud</p>")
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    mine, theirs = open_form(client, cast.editor_a, cast.chapter_a), open_form(client, colleague, cast.chapter_a)
    prefix = next(k for k, v in theirs.items() if k.endswith("-id") and v == str(definition.pk))[: -len("-id")]
    theirs[f"{prefix}-body"] = "<p>Nieuwe definitie</p>"
    assert client.post(url, theirs).status_code == 302
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.version == 2

    client.force_login(cast.editor_a)
    mine[f"{prefix}-body"] = "<p>Mijn definitie</p>"
    response = client.post(url, mine)
    assert response.status_code == 200 and "Mijn definitie" in response.content.decode()
    definition.refresh_from_db()
    assert definition.body == "<p>Nieuwe definitie</p>"


def test_a_stale_form_of_a_part_is_refused_too(client, cast, colleague):
    from themes.models import Figure

    figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen")
    url = reverse("admin:themes_figure_change", args=[figure.pk])
    client.force_login(cast.editor_a)
    mine = form_data(client.get(url))
    services.record_revision(cast.chapter_a.pk, colleague)  # somebody saved the chapter meanwhile
    mine["title"] = "Mijn titel"
    response = client.post(url, mine)
    assert response.status_code == 200 and "Mijn titel" in response.content.decode()
    figure.refresh_from_db()
    assert figure.title == "Meldingen"


def test_approval_is_refused_when_the_chapter_changed_after_the_page_was_opened(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    client.force_login(cast.coordinator)
    page = client.get(reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]))
    seen = page.context["original"].version
    assert f'name="seen_version" value="{seen}"' in page.content.decode()

    client.force_login(cast.coordinator_2)  # a colleague fixes a typo in the submitted chapter
    data = form_data(client.get(reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])))
    data["summary"] = "<p>Typfout hersteld</p>"
    assert client.post(reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]), data).status_code == 302

    client.force_login(cast.coordinator)
    url = reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, "approve"])
    response = client.post(url, {"seen_version": seen})
    assert response.status_code == 302
    assert any("gewijzigd nadat u het opende" in str(m) for m in get_messages(response.wsgi_request))
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == Chapter.State.SUBMITTED


def test_a_transition_while_the_form_is_open_refuses_the_save(client, cast):
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    mine = open_form(client, cast.coordinator, cast.chapter_a)
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    mine["summary"] = "<p>Nog iets</p>"
    response = client.post(url, mine)
    assert response.status_code == 200 and "status ingediend" in response.content.decode()
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.summary == "<p>Tekst van UNICEF</p>"
