"""Every download behind one contract: identifier, label, render() -> (filename, content type, bytes), response()."""

import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.exporters import IndicatorCsvExporter, ObservationsCsvExporter, OpenDataZipExporter
from indicators.models import Indicator
from kib.exporters import Exporter, ExportFile
from kib.publication.exporter import EditionPdfExporter
from kib.publication.registry import EXPORTERS, on_request_edition_exporters
from tests import downloads
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    edition = f.edition(2024, publication_date=datetime.date(2024, 10, 22))
    theme = f.theme(4, title="Jeugdhulp")
    f.chapter(edition=edition, theme=theme)
    waiting = f.indicator(theme, code="wachtlijst-pleegzorg")
    f.observation(waiting, "2023", "838", public=True)
    return f.publish(edition)


def test_one_registry_lists_every_exporter_by_identifier():
    assert set(EXPORTERS) == {"pdf", "open-data", "waarnemingen", "indicator"}
    for identifier, cls in EXPORTERS.items():
        assert issubclass(cls, Exporter)
        assert cls.identifier == identifier
        assert cls.label and cls.content_type and cls.extension
    # The PDF takes minutes: the admin and the site never make it while someone waits.
    assert on_request_edition_exporters() == [OpenDataZipExporter, ObservationsCsvExporter]


@pytest.mark.parametrize("cls", [OpenDataZipExporter, ObservationsCsvExporter])
def test_edition_export_renders_filename_content_type_and_bytes(edition, cls):
    exporter = cls(edition)
    file = exporter.render()
    assert isinstance(file, ExportFile)
    assert file.filename == exporter.filename == f"kib-2024-{cls.identifier}.{cls.extension}"
    assert file.content_type == cls.content_type
    assert isinstance(file.data, bytes) and file.data
    response = exporter.response()
    assert response["Content-Type"] == cls.content_type
    assert response["Content-Disposition"] == f'attachment; filename="{file.filename}"'
    assert response.content == file.data


def test_zip_and_csv_carry_the_same_figures(edition):
    csv_bytes = ObservationsCsvExporter(edition).render().data
    archive = zipfile.ZipFile(io.BytesIO(OpenDataZipExporter(edition).render().data))
    assert archive.read("kib-2024-open-data/waarnemingen.csv") == csv_bytes
    assert b"838" in csv_bytes


def test_indicator_csv_is_one_indicators_public_figures(edition):
    indicator = edition.chapters.get().theme.indicators.get()
    f.observation(indicator, "2024", "901")  # not published yet
    file = IndicatorCsvExporter(indicator).render()
    assert file.filename == "kib-wachtlijst-pleegzorg.csv"
    assert file.content_type == "text/csv; charset=utf-8"
    assert b"838" in file.data and b"901" not in file.data


def test_public_site_serves_the_registered_exporters(client, edition):
    public = Indicator.objects.published()
    for name, cls in [
        ("edition_observations_csv", ObservationsCsvExporter),
        ("edition_open_data", OpenDataZipExporter),
    ]:
        file = cls(edition, indicators=public).render()
        response = client.get(reverse(f"public:{name}", args=[2024]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{file.filename}"'
        assert downloads.body(response) == file.data


def test_export_command_writes_what_render_returns(edition, tmp_path):
    target = tmp_path / "figures.csv"
    call_command("export_opendata", "2024", "--format", "csv", "--output", str(target), verbosity=0)
    assert target.read_bytes() == ObservationsCsvExporter(edition).render().data


def test_pdf_exporter_renders_a_pdf(edition):
    file = EditionPdfExporter(edition).render()
    assert file.filename == EditionPdfExporter(edition).filename
    assert file.content_type == "application/pdf"
    assert file.data.startswith(b"%PDF-")
    assert not hasattr(EditionPdfExporter, "write")  # no alias: write_pdf(path) for the worker, render() for the rest
