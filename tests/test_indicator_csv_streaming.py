"""One indicator's CSV is streamed from the database (issue 16: costs flat as editions add up).

A series that runs for decades, with breakdowns, has thousands of public observations. The
download streams them in chunks of ``CHUNK_ROWS`` rows straight from ``values_list().iterator()``:
the same bytes as the file built at once (columns, number format, neutralised text, BOM), the
same queries whatever the number of rows, and no model instance per observation.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import exporters
from indicators.exporters import IndicatorCsvExporter
from indicators.models import Observation
from tests import downloads
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator():
    """The indicator a published chapter draws (two public observations: 2022 and 2023)."""
    edition = f.edition(2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))
    f.publish(edition)
    return chapter.figures.get().chart.series.get().indicator


def add_public(indicator, years, **cell):
    for year in years:
        f.observation(indicator, str(year), f"{year}.5", public=True, **cell)
    Observation.objects.filter(indicator=indicator).update(published_value=7, published_note="-oud")


def csv_download(client, indicator):
    response = client.get(reverse("public:indicator_csv", args=[indicator.code]))
    assert response.status_code == 200
    return response


def test_the_download_streams_the_same_bytes_as_the_file(client, indicator, monkeypatch):
    add_public(indicator, range(1990, 2022), sex="+meisjes")
    monkeypatch.setattr(exporters, "CHUNK_ROWS", 7)  # several chunks, the last one short
    response = csv_download(client, indicator)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="kib-{indicator.code}.csv"'
    chunks = list(response.streaming_content)
    assert len(chunks) > 4
    assert chunks[0].startswith(b"\xef\xbb\xbfindicator,periode") and not any(
        c.startswith(b"\xef\xbb\xbf") for c in chunks[1:]
    )
    body = b"".join(chunks)
    monkeypatch.setattr(exporters, "CHUNK_ROWS", 1000)
    assert body == IndicatorCsvExporter(indicator).render().data
    assert body.count(b"\r\n") == 1 + Observation.objects.public().filter(indicator=indicator).count()
    assert b"'+meisjes" in body and b"'-oud" in body  # neutralised, and the published values


def test_the_download_costs_the_same_queries_with_ten_times_the_rows(client, indicator):
    """Streamed (the series changed since its file was stored: the stream stores it again) and from the file."""

    def cost():
        with CaptureQueriesContext(connection) as captured:
            response = csv_download(client, indicator)
            downloads.body(response)
        return len(captured), response.has_header("ETag")

    cost()  # no file yet: streamed, and stored
    add_public(indicator, range(2010, 2013))
    small, stored = cost(), cost()
    add_public(indicator, range(1980, 2010), territory="BON")
    assert (cost(), cost()) == (small, stored)
    assert not small[1] and stored[1]


def test_an_unpublished_figure_is_not_in_the_stream(client, indicator):
    f.observation(indicator, "2024", "90125")  # imported for the next edition: not public
    body = downloads.body(csv_download(client, indicator))
    assert f"{indicator.code},2023,".encode() in body  # the published figures are
    assert b"90125" not in body
