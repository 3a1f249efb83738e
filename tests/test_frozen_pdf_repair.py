"""A repair build of a published edition's PDF prints the numbers published with it (issue 14).

2024 is published with a figure of an indicator; an editor then revises one of its numbers and
2025, drawing the same indicator, makes the revision public. The 2024 chapter page keeps the
published number (its chart snapshot). When the stored 2024 PDF goes missing or is damaged, the
repair build made without a person draws the same snapshot, so the rebuilt PDF has the text of
the original, not the revised number.
"""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from indicators.models import Chart, FigureSeries, Observation
from kib.publication import services
from kib.publication.exporter import EditionPdfExporter
from kib.publication.models import PdfBuild, PublishedPdf
from kib.publication.services import build_published_pdf_now
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db

PUBLISHED, REVISED = "4321", "8765"  # printed as "4.321" and "8.765"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KIB_PDF_PREVIEW_ROOT = tmp_path / "previews"
    services._verified.clear()


def pdf_text(path):
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def revised_after_2025():
    """2024 published with its PDF; a 2024 number revised, and made public by publishing 2025."""
    theme = f.theme()
    edition = f.edition(year=2024, title="Kinderrechten in Beweging")
    chapter = f.full_chapter(edition, theme, recommendations=[f.recommendation("15b")])
    link = FigureSeries.objects.get(chart__figure__chapter=chapter)
    observation = Observation.objects.get(indicator=link.indicator, period="2023")
    Observation.objects.filter(pk=observation.pk).update(value=Decimal(PUBLISHED))
    f.publish(edition)
    pdf = build_published_pdf_now(edition)
    original = pdf_text(pdf.file.path)
    assert "4.321" in original

    observation.refresh_from_db()
    observation.value = Decimal(REVISED)  # the editor revises the 2024 number for next year
    observation.save()
    next_edition = f.edition(year=2025, title="Kinderrechten in Beweging")
    next_chapter = f.chapter(edition=next_edition, theme=theme)
    figure = Figure.objects.create(chapter=next_chapter, number=1, title="Dezelfde indicator in 2025")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=link.indicator)
    f.publish(next_edition)
    observation.refresh_from_db()
    assert observation.published_value == Decimal(REVISED)  # 2025 made the revision public
    return edition, chapter, pdf, original


def test_the_2024_page_keeps_the_published_number(client, revised_after_2025):
    _edition, chapter, _pdf, _original = revised_after_2025
    page = client.get(chapter.get_absolute_url()).content.decode()
    assert "4.321" in page and "8.765" not in page


def test_a_repair_of_a_missing_2024_pdf_prints_the_published_number(
    client, revised_after_2025, django_capture_on_commit_callbacks
):
    edition, _chapter, pdf, original = revised_after_2025
    Path(pdf.file.path).unlink()
    url = reverse("public:edition_pdf", args=[2024])
    with django_capture_on_commit_callbacks(execute=True):  # the repair build runs (tasks run at once in tests)
        assert client.get(url).status_code == 503
    repair = PdfBuild.objects.get(repairs=pdf)
    assert repair.status == PdfBuild.Status.DONE, repair.error
    pdf.refresh_from_db()
    rebuilt = pdf_text(pdf.file.path)
    assert "4.321" in rebuilt and "8.765" not in rebuilt
    assert rebuilt == original  # the repaired PDF is the published one, in text
    assert client.get(url).status_code == 200


def test_a_new_build_of_the_published_edition_draws_its_snapshot_but_a_draft_preview_the_live_numbers(
    revised_after_2025, tmp_path
):
    edition, _chapter, _pdf, original = revised_after_2025
    assert "8.765" not in EditionPdfExporter(edition).render_html()
    assert "8.765" in EditionPdfExporter(edition, draft=True).render_html()  # what an editor works on
    again = build_published_pdf_now(edition)  # a coordinator's rebuild: a new version, the same text
    assert again.version == 2 and pdf_text(again.file.path) == original
    assert PublishedPdf.objects.filter(edition=edition).count() == 2
