"""Two people at once, on real connections: one transition, one save; the other is refused, nothing is lost.

Each test runs two threads, each with its own database connection. The first holds its
transaction open for a moment after it has done its work, so the second really runs into it.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from kib.workflow import services
from kib.workflow.models import AuditEntry
from tests import factories as f
from tests.test_permissions import form_data
from themes.models import Chapter

pytestmark = pytest.mark.django_db(transaction=True)

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


@pytest.fixture
def cast():
    return f.workflow_cast()


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


def test_two_editors_saving_at_once_give_one_saved_text_and_one_refusal(cast):
    colleague = f.editor(cast.unicef, username="tweede-redacteur-unicef")
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
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
