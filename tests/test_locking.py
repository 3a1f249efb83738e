"""No lost updates: of two people changing one chapter, the second is refused and keeps what they typed.

The first tests go through the admin forms one after the other (a stale form is refused). The
last ones run two threads at once, each with its own database connection, on real
transactions (``transaction=True``): the first holds its transaction open for a moment after
it has done its work, so the second really runs into it; one transition, one save, the other
is refused, nothing is lost.
"""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from kib.workflow import services
from kib.workflow.models import AuditEntry
from tests import factories as f
from tests.test_permissions import change_url, form_data
from themes.models import Chapter, Definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


@pytest.fixture
def colleague(cast):
    return f.editor(cast.unicef, username="tweede-redacteur-unicef")


def open_form(client, user, chapter, section="stand"):
    client.force_login(user)
    return form_data(client.get(change_url(chapter, section)))


def test_second_save_is_refused_and_shows_the_typed_text_again(client, cast, colleague):
    url = change_url(cast.chapter_a)
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
    url = change_url(cast.chapter_a, "focus")
    mine = open_form(client, cast.editor_a, cast.chapter_a, "focus")
    theirs = open_form(client, colleague, cast.chapter_a, "focus")
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
    page = client.get(change_url(cast.chapter_a))
    seen = page.context["original"].version
    assert f'name="seen_version" value="{seen}"' in page.content.decode()

    client.force_login(cast.coordinator_2)  # a colleague fixes a typo in the submitted chapter
    data = form_data(client.get(change_url(cast.chapter_a)))
    data["summary"] = "<p>Typfout hersteld</p>"
    assert client.post(change_url(cast.chapter_a), data).status_code == 302

    client.force_login(cast.coordinator)
    url = reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, "approve"])
    response = client.post(url, {"seen_version": seen})
    assert response.status_code == 302
    assert any("gewijzigd nadat u het opende" in str(m) for m in get_messages(response.wsgi_request))
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == Chapter.State.SUBMITTED


def test_a_transition_while_the_form_is_open_refuses_the_save(client, cast):
    url = change_url(cast.chapter_a)
    mine = open_form(client, cast.coordinator, cast.chapter_a)
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    mine["summary"] = "<p>Nog iets</p>"
    response = client.post(url, mine)
    assert response.status_code == 200 and "status ingediend" in response.content.decode()
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.summary == "<p>Tekst van UNICEF</p>"


# == two people at once, on real connections ===================================================


HOLD = 0.5  # seconds the first transaction stays open after its work


def run_both(first, second):
    """Run ``first`` and, once it is inside its transaction, ``second``; return what each returned or raised."""
    started, results = threading.Event(), {}

    def run(name, work, before=None, after=None):
        try:
            if before:
                before()
            with transaction.atomic():
                results[name] = work()
                if after:
                    after()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[name] = exc
        finally:
            started.set()
            connection.close()

    def hold():
        started.set()
        time.sleep(HOLD)

    threads = [
        threading.Thread(target=run, args=("first", first), kwargs={"after": hold}),
        threading.Thread(target=run, args=("second", second), kwargs={"before": started.wait}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results["first"], results["second"]


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_approving_at_once_give_one_transition_and_one_audit_entry(cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    chapter = Chapter.objects.get(pk=cast.chapter_a.pk)
    seen = chapter.version

    first, second = run_both(
        lambda: services.approve_chapter(Chapter.objects.get(pk=chapter.pk), by=cast.coordinator, seen_version=seen),
        lambda: services.approve_chapter(Chapter.objects.get(pk=chapter.pk), by=cast.coordinator_2, seen_version=seen),
    )

    assert isinstance(first, AuditEntry), first
    assert isinstance(second, services.WorkflowError), second
    chapter.refresh_from_db()
    assert chapter.state == Chapter.State.APPROVED and chapter.version == seen + 1
    assert list(AuditEntry.objects.for_object(chapter).values_list("action", "user__username")) == [
        ("approve", "coordinator"),
        ("submit", "redacteur-unicef"),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_give_one_saved_text_and_one_refusal(cast):
    colleague = f.editor(cast.unicef, username="tweede-redacteur-unicef")
    url = change_url(cast.chapter_a)
    clients = {}
    for name, user in (("first", cast.editor_a), ("second", colleague)):
        clients[name] = Client()
        clients[name].force_login(user)
    forms = {name: form_data(c.get(url)) for name, c in clients.items()}
    forms["first"]["summary"] = "<p>Tekst van de eerste</p>"
    forms["second"]["summary"] = "<p>Tekst van de tweede</p>"

    first, second = run_both(
        lambda: clients["first"].post(url, forms["first"]), lambda: clients["second"].post(url, forms["second"])
    )

    assert first.status_code == 302
    assert second.status_code == 200
    assert "opgeslagen nadat u het opende" in second.content.decode()
    assert "Tekst van de tweede" in second.content.decode()  # nothing lost: the text is on the page again
    chapter = Chapter.objects.get(pk=cast.chapter_a.pk)
    assert (chapter.summary, chapter.version, chapter.revised_by) == ("<p>Tekst van de eerste</p>", 2, cast.editor_a)
