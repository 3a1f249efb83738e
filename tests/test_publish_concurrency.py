"""Two coordinators publishing one edition at once, on real connections: one publication, one audit entry."""

import pytest

from kib.models import Edition
from kib.publication.models import PublishedPdf
from kib.workflow import services
from kib.workflow.models import AuditEntry
from tests import factories as f
from tests.test_locking import run_both

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_coordinators_publishing_at_once_give_one_publication():
    cast = f.workflow_cast()
    for chapter, editor in ((cast.chapter_a, cast.editor_a), (cast.chapter_b, cast.editor_b)):
        services.submit_chapter(chapter, by=editor)
        chapter.refresh_from_db()
        services.approve_chapter(chapter, by=cast.coordinator, seen_version=chapter.version)

    first, second = run_both(
        lambda: services.publish_edition(Edition.objects.get(pk=cast.edition.pk), by=cast.coordinator),
        lambda: services.publish_edition(Edition.objects.get(pk=cast.edition.pk), by=cast.coordinator_2),
    )

    assert isinstance(first, AuditEntry), first
    assert isinstance(second, services.WorkflowError) and "al gepubliceerd" in str(second), second
    assert list(AuditEntry.objects.for_object(cast.edition).values_list("action", "user__username")) == [
        ("publish", "coordinator")
    ]
    assert Edition.objects.get(pk=cast.edition.pk).state == Edition.State.PUBLISHED
    assert PublishedPdf.objects.filter(edition=cast.edition).count() <= 1
