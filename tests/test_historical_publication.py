"""A report that came out before KIB is published by the system with the date it records, not today's."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kib.demo.loader import DemoPublisher
from kib.models import Edition
from kib.publication.receivers import without_pdf
from kib.workflow import services
from kib.workflow.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


def _approved_edition(**kwargs):
    edition = f.edition(year=2019, **kwargs)
    f.chapter(edition=edition, state="approved")
    return edition


def test_a_historical_edition_without_a_date_keeps_it_unknown_and_says_so():
    edition = _approved_edition(publication_date=None)
    with without_pdf():
        entry = services.publish_edition(edition, by=DemoPublisher(), historical=True)
    edition.refresh_from_db()
    assert edition.is_published and edition.published_at is not None
    assert edition.publication_date is None
    assert entry.comment == "Historische editie, verschenen vóór KIB; publicatiedatum: onbekend."


def test_a_historical_edition_keeps_its_recorded_date_in_the_audit_entry():
    edition = _approved_edition(publication_date=datetime.date(2019, 11, 20))
    with without_pdf():
        entry = services.publish_edition(edition, by=DemoPublisher(), historical=True)
    assert Edition.objects.get(pk=edition.pk).publication_date == datetime.date(2019, 11, 20)
    assert "publicatiedatum: 20-11-2019" in entry.comment


def test_a_normal_publication_without_a_date_gets_today():
    edition = _approved_edition(publication_date=None)
    with without_pdf():
        entry = services.publish_edition(edition, by=DemoPublisher())
    assert Edition.objects.get(pk=edition.pk).publication_date == timezone.localdate()
    assert entry.comment == ""


def test_a_coordinator_cannot_publish_as_historical():
    edition = _approved_edition(publication_date=None)
    with pytest.raises(PermissionDenied), without_pdf():
        services.publish_edition(edition, by=f.coordinator(), historical=True)
    assert Edition.objects.get(pk=edition.pk).state == Edition.State.PREPARATION
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PUBLISH).exists()
