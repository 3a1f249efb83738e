"""The demo's editions are published the way a coordinator publishes one: through ``publish_edition``."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.forms import modelform_factory

from indicators.models import Chart, Observation
from kib.models import Edition
from kib.publication.models import PdfBuild
from kib.workflow.models import AuditEntry
from themes.models import Chapter

pytestmark = pytest.mark.django_db


def test_the_demo_editions_went_through_the_publication_service(demo_db):
    for year in (2024, 2020):
        edition = Edition.objects.get(year=year)
        assert edition.is_published and edition.published_at is not None
        entry = AuditEntry.objects.get(
            content_type=ContentType.objects.get_for_model(Edition), object_id=edition.pk, action=AuditEntry.Action.PUBLISH
        )
        assert (entry.user, entry.from_state, entry.to_state) == (None, "preparation", "published")
    assert str(Edition.objects.get(year=2024).publication_date) == "2024-10-22"  # the seed's date, kept
    assert Edition.objects.get(year=2020).publication_date is None  # the seed gives none


def test_the_publication_receivers_pinned_the_charts_and_made_the_numbers_public(demo_db):
    charts = Chart.objects.filter(figure__chapter__edition__year=2024)
    assert charts.exists() and not charts.filter(periods_pinned=False, periods="").exists()
    drawn = Observation.objects.filter(indicator__figure_series__chart__in=charts).distinct()
    assert drawn.exists() and not drawn.filter(published_value__isnull=True, value__isnull=False).exists()


def test_no_pdf_means_no_build_queued_at_publication(demo_db):
    # conftest loads the demo with --no-pdf
    assert not PdfBuild.objects.filter(edition__year__in=[2020, 2024]).exists()


def test_states_are_not_form_fields():
    assert "state" not in modelform_factory(Chapter, fields="__all__")().fields
    assert "state" not in modelform_factory(Edition, fields="__all__")().fields
