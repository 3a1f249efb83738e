"""Open data: an edition's figures as CSV and as a zip with a README of sources and licence."""

import csv
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from indicators.exporters import ObservationsCsvExporter, OpenDataZipExporter
from indicators.importing import read_table
from indicators.models import Chart, FigureSeries, Observation
from indicators.resources import ObservationResource
from indicators.views import edition_observations_csv as opendata_csv
from indicators.views import edition_open_data as opendata_zip
from kib.models import Source
from tests import downloads
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """A published edition with one theme, one indicator and figures before and after its period."""
    import datetime

    edition = f.edition(
        2024,
        reporting_period_start=datetime.date(2023, 3, 1),
        reporting_period_end=datetime.date(2024, 3, 31),
        publication_date=datetime.date(2024, 10, 22),
    )
    theme = f.theme(4, title="Jeugdhulp")
    chapter = f.chapter(edition=edition, theme=theme)
    other_theme = f.theme(5)
    waiting = f.indicator(theme, code="wachtlijst-pleegzorg", name="Kinderen op de wachtlijst voor pleegzorg")
    waiting.sources.add(
        Source.objects.create(url="https://www.pleegzorg.nl/cijfers", publisher="Pleegzorg Nederland", title="Cijfers")
    )
    f.observation(waiting, "2022", "790", public=True)
    f.observation(waiting, "2023", "838", flag=Observation.Flag.PROVISIONAL, note="=peildatum", public=True)
    f.observation(waiting, "2025", "700", public=True)  # after the reporting period: not in this edition
    figure = Figure.objects.create(chapter=chapter, number=1, title="Wachtlijst pleegzorg", source_line="Pleegzorg NL")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=waiting)
    elsewhere = f.indicator(other_theme, code="ander-thema")
    f.observation(elsewhere, "2023", "1", public=True)  # a theme without a chapter in this edition
    return f.publish(edition)


def rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_holds_the_editions_observations_in_the_import_columns(published):
    data = ObservationsCsvExporter(published).render().data
    assert data.startswith(b"\xef\xbb\xbf")
    result = rows(data)
    assert [(r["indicator"], r["periode"], r["waarde"], r["vlag"]) for r in result] == [
        ("wachtlijst-pleegzorg", "2022", "790", ""),
        ("wachtlijst-pleegzorg", "2023", "838", "voorlopig"),
    ]
    assert list(result[0]) == [
        "indicator",
        "periode",
        "gebied",
        "geslacht",
        "leeftijdsgroep",
        "uitsplitsing",
        "waarde",
        "vlag",
        "toelichting",
    ]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(published):
    (_, second) = rows(ObservationsCsvExporter(published).render().data)
    assert second["toelichting"] == "'=peildatum"


def test_zip_has_csvs_and_a_readme_with_licence_and_sources(published):
    exporter = OpenDataZipExporter(published)
    assert exporter.filename == "kib-2024-open-data.zip"
    archive = zipfile.ZipFile(io.BytesIO(exporter.render().data))
    names = sorted(name.split("/", 1)[1] for name in archive.namelist())
    assert names == ["README.txt", "bronnen.csv", "indicatoren.csv", "waarnemingen.csv"]
    folder = archive.namelist()[0].split("/")[0]
    readme = archive.read(f"{folder}/README.txt").decode()
    assert "CC BY 4.0" in readme and "creativecommons.org/licenses/by/4.0" in readme
    assert "https://www.pleegzorg.nl/cijfers" in readme
    assert "maart 2023" in readme and "2 cijfers" in readme
    indicators = rows(archive.read(f"{folder}/indicatoren.csv"))
    assert indicators == [
        {
            "code": "wachtlijst-pleegzorg",
            "naam": "Kinderen op de wachtlijst voor pleegzorg",
            "eenheid": "aantal",
            "thema": "4. Jeugdhulp",
            "definitie": "",
            "bronnen": "https://www.pleegzorg.nl/cijfers",
        }
    ]
    sources = rows(archive.read(f"{folder}/bronnen.csv"))
    assert sources[0]["uitgever"] == "Pleegzorg Nederland"
    assert len(rows(archive.read(f"{folder}/waarnemingen.csv"))) == 2


def test_zip_is_the_same_every_time(published):
    assert OpenDataZipExporter(published).render().data == OpenDataZipExporter(published).render().data


def test_downloaded_csv_imports_again_unchanged(published):
    before = list(Observation.objects.order_by("pk").values_list("period", "value", "flag", "note"))
    data = ObservationsCsvExporter(published).render().data
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.create_superuser("root", "root@example.org", "geheim-wachtwoord-123")
    result = ObservationResource(user=coordinator).import_data(read_table(data, "csv"), file_name="terug.csv")
    assert not (result.has_errors() or result.has_validation_errors())
    assert result.totals["skip"] == 2 and result.totals["new"] == 0 and result.totals["update"] == 0
    assert list(Observation.objects.order_by("pk").values_list("period", "value", "flag", "note")) == before


def test_public_views_serve_only_published_editions(published):
    factory = RequestFactory()
    response = opendata_zip(factory.get("/"), 2024)
    assert response["Content-Type"] == "application/zip"
    assert 'filename="kib-2024-open-data.zip"' in response["Content-Disposition"]
    assert rows(downloads.body(opendata_csv(factory.get("/"), 2024)))
    f.edition(2025)  # in preparation
    with pytest.raises(Http404):
        opendata_zip(factory.get("/"), 2025)
    with pytest.raises(Http404):
        opendata_csv(factory.get("/"), 2025)


def test_management_command_writes_the_zip(published, tmp_path):
    target = tmp_path / "open.zip"
    out = io.StringIO()
    call_command("export_opendata", "2024", "--output", str(target), stdout=out)
    assert zipfile.is_zipfile(target)
    assert "2 cijfers" in out.getvalue()
    call_command("export_opendata", "2024", "--output", str(tmp_path / "c.csv"), "--format", "csv", stdout=out)
    assert rows((tmp_path / "c.csv").read_bytes())


def test_management_command_refuses_a_draft_without_concept(published, tmp_path):
    f.edition(2025)
    with pytest.raises(CommandError, match="nog niet gepubliceerd"):
        call_command("export_opendata", "2025", "--output", str(tmp_path / "x.zip"))
    call_command("export_opendata", "2025", "--concept", "--output", str(tmp_path / "x.zip"), verbosity=0)
    with pytest.raises(CommandError, match="Geen editie"):
        call_command("export_opendata", "1999")


def test_coordinator_downloads_open_data_from_the_admin(client, published):
    from kib.models import Organisation

    collective = f.organisation("Kinderrechtencollectief", kind=Organisation.Kind.COLLECTIVE)
    client.force_login(f.user_with_role("coördinator", organisation=collective))
    page = client.get(reverse("admin:indicators_indicator_opendata"))
    assert page.status_code == 200 and "CC BY 4.0" in page.content.decode()
    response = client.get(reverse("admin:indicators_indicator_opendata_download", args=[2024, "open-data"]))
    assert response.status_code == 200 and zipfile.is_zipfile(io.BytesIO(response.content))


def test_a_published_edition_exports_only_published_figures(published):
    """A figure imported after publication (for the next edition) is not open data until that edition appears."""
    waiting = Observation.objects.get(period="2022").indicator
    f.observation(waiting, "2023-2024", "812")  # imported for the next edition: not public yet
    exported = [r["periode"] for r in rows(ObservationsCsvExporter(published).render().data)]
    assert exported == ["2022", "2023"]
    draft = f.edition(2025)
    f.chapter(edition=draft, theme=waiting.theme)
    assert "2023-2024" in [r["periode"] for r in rows(ObservationsCsvExporter(draft).render().data)]
