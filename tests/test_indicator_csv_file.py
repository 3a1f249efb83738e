"""One indicator's CSV is made once per publication and served as a file (issue 16 item 3).

The published series of an indicator changes only when an edition that draws it is published
or a correction of one closes. The task that builds the edition's data files then builds the CSV
of each indicator the edition draws (``datafiles.store_indicator_files``) and stores it with its
size, SHA-256 and the fingerprint of the series it was made from. ``/cijfers/<code>.csv`` serves
that file like an edition's files (Content-Length, ETag, 304, HEAD). While the live series has
another fingerprint (a publication since, rows added by an archive restore), or the file is
missing or damaged, the download streams from the database as before and stores what it sent.

Cast: an anonymous visitor (``client``) who downloads the figures; the coordinator publishes.
"""

import hashlib
import io
import logging

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import exporters
from indicators.exporters import IndicatorCsvExporter
from indicators.models import Chart, FigureSeries, Indicator, IndicatorFile, Observation
from kib.models import Edition
from kib.ops.archive.reading import import_edition
from kib.ops.archive.writing import export_edition
from kib.publication import datafiles, services
from tests import downloads
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db


def url(indicator):
    return reverse("public:indicator_csv", args=[indicator.code])


def fresh(indicator):
    """Today's download, built now from the database."""
    return IndicatorCsvExporter(Indicator.objects.get(pk=indicator.pk)).render().data


def stored_bytes(stored):
    with default_storage.open(stored.file.name, "rb") as handle:
        return handle.read()


def draws(edition, indicator, theme):
    """A chapter of ``edition`` with one figure drawn from ``indicator``."""
    chapter = f.chapter(edition=edition, theme=theme)
    figure = Figure.objects.create(chapter=chapter, number=1, title="Figuur", source_line="Bron")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=indicator)
    return chapter


@pytest.fixture
def indicator(django_capture_on_commit_callbacks):
    """An indicator drawn by the published 2024 edition (public: 2022 and 2023), its CSV stored at publication."""
    edition = f.edition(2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))
    indicator = chapter.figures.get().chart.series.get().indicator
    with django_capture_on_commit_callbacks(execute=True):  # the task after the publication's commit
        f.publish(edition)
    return indicator


def next_edition_publishes(indicator, value="99125", year=2025):
    """Edition ``year`` draws ``indicator`` too, with a new number; published (its task not yet run)."""
    f.observation(indicator, str(year - 1), value)
    edition = f.edition(year)
    draws(edition, indicator, indicator.theme)
    f.publish(edition)
    return edition


def test_publication_stores_the_csv_byte_for_byte_as_a_fresh_build(indicator):
    stored = IndicatorFile.objects.get(indicator=indicator)
    data = stored_bytes(stored)
    assert data == fresh(indicator)
    assert (len(data), hashlib.sha256(data).hexdigest()) == (stored.size, stored.sha256)
    assert stored.fingerprint == Indicator.objects.with_series().get(pk=indicator.pk).series_fingerprint
    assert stored.filename == f"kib-{indicator.code}.csv"


def test_the_site_serves_the_stored_file_with_the_headers_of_the_stream(client, indicator, monkeypatch):
    expected = fresh(indicator)
    IndicatorFile.objects.filter(indicator=indicator).update(fingerprint="0:0:0:stale")
    streamed = client.get(url(indicator))  # today's headers, from the stream
    assert streamed.streaming and "ETag" not in streamed and downloads.body(streamed) == expected
    monkeypatch.setattr(IndicatorCsvExporter, "chunks", lambda self: pytest.fail("made on request"))
    stored = IndicatorFile.objects.get(indicator=indicator)  # stored again by that download
    response = client.get(url(indicator))
    assert response.status_code == 200 and response.streaming  # from storage, not read into memory
    assert downloads.body(response) == stored_bytes(stored) == expected
    assert response["Content-Type"] == streamed["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == streamed["Content-Disposition"]
    assert response["Content-Disposition"] == f'attachment; filename="kib-{indicator.code}.csv"'
    assert response["Content-Length"] == str(stored.size)
    assert response["ETag"] == f'"{stored.sha256}"'
    head = client.head(url(indicator))
    assert head.status_code == 200 and head["ETag"] == response["ETag"]
    assert head["Content-Length"] == str(stored.size) and downloads.body(head) == b""
    again = client.get(url(indicator), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and not downloads.body(again)


def test_the_stored_file_is_what_the_stream_sends(client, indicator):
    stored = IndicatorFile.objects.get(indicator=indicator)
    served = downloads.body(client.get(url(indicator)))
    IndicatorFile.objects.filter(indicator=indicator).update(fingerprint="0:0:0:stale")
    streamed = client.get(url(indicator))
    assert streamed.streaming and "Content-Length" not in streamed
    assert downloads.body(streamed) == served == stored_bytes(stored) == fresh(indicator)


def test_the_stored_file_holds_only_the_published_numbers(indicator):
    f.observation(indicator, "2019", "80125")  # typed in, never published
    Observation.objects.filter(indicator=indicator, period="2022").update(value="70125", note="nog niet openbaar")
    stored = datafiles.store_indicator(indicator)
    data = stored_bytes(stored)
    assert b"80125" not in data and b"70125" not in data and b"nog niet openbaar" not in data
    assert f"{indicator.code},2022,NL,,,,10,".encode() in data  # the published value
    assert data.count(b"\r\n") == 1 + Observation.objects.public().filter(indicator=indicator).count() == 3


def test_an_indicator_only_a_draft_draws_gets_no_file_and_no_download(client):
    draft = f.edition(2025)
    chapter = f.full_chapter(draft, f.theme(number=3, slug="onderwijs"))
    indicator = chapter.figures.get().chart.series.get().indicator
    assert datafiles.store_indicator_files() == []
    with pytest.raises(ValueError):
        datafiles.store_indicator(indicator)
    assert client.get(url(indicator)).status_code == 404
    assert not IndicatorFile.objects.exists()


def test_a_publication_makes_the_file_stale_and_its_task_makes_it_again(
    client, indicator, django_capture_on_commit_callbacks, caplog
):
    before = IndicatorFile.objects.get(indicator=indicator)
    next_edition_publishes(indicator)  # the task is queued after the commit: not run here
    assert Indicator.objects.get(pk=indicator.pk).series_version == 2
    response = client.get(url(indicator))
    assert response.streaming and "ETag" not in response  # the stale file is not served
    with django_capture_on_commit_callbacks(execute=True):  # the request's own commit
        assert b"99125" in downloads.body(response)
    kept = IndicatorFile.objects.get(indicator=indicator)  # and what was streamed is stored
    assert kept.sha256 != before.sha256 and stored_bytes(kept) == fresh(indicator)
    assert not default_storage.exists(before.file.name)

    caplog.clear()  # the download above logged its own file
    with caplog.at_level(logging.INFO, logger="kib.publication.datafiles"):
        with django_capture_on_commit_callbacks(execute=True):
            edition = next_edition_publishes(indicator, value="88125", year=2026)
    # one line for the publication's files, not one per indicator (a real edition draws about 180)
    assert "event=indicator_files_built edition=2026 files=1 bytes=" in caplog.text
    assert "event=indicator_file_built" not in caplog.text
    after = IndicatorFile.objects.get(indicator=indicator)
    assert after.fingerprint.startswith("3:") and b"88125" in stored_bytes(after)
    assert stored_bytes(after) == fresh(indicator)
    assert datafiles.store_indicator_files(edition) == []  # nothing stale is left: safe to run again
    assert client.get(url(indicator))["ETag"] == f'"{after.sha256}"'


def test_a_series_that_changes_while_it_is_streamed_is_not_stored(client, indicator, monkeypatch):
    for year in range(1990, 2010):
        f.observation(indicator, str(year), "5", public=True)
    before = IndicatorFile.objects.get(indicator=indicator)
    monkeypatch.setattr(exporters, "CHUNK_ROWS", 5)
    stream = iter(client.get(url(indicator)).streaming_content)  # stale (rows added): streamed
    first = next(stream)
    f.observation(indicator, "2030", "66125", public=True)  # a restore adds a row meanwhile
    body = first + b"".join(stream)
    assert b"66125" not in body  # the stream's own snapshot
    stored = IndicatorFile.objects.get(indicator=indicator)
    assert stored.sha256 == before.sha256  # not replaced by the bytes of an older series
    assert stored.fingerprint != Indicator.objects.with_series().get(pk=indicator.pk).series_fingerprint
    assert b"66125" in downloads.body(client.get(url(indicator)))


@pytest.mark.parametrize("damage", ["truncated", "changed", "missing"])
def test_a_damaged_or_missing_file_is_streamed_and_made_again(client, indicator, damage, caplog):
    stored = IndicatorFile.objects.get(indicator=indicator)
    good = stored_bytes(stored)
    if damage == "missing":
        default_storage.delete(stored.file.name)
    else:
        with open(default_storage.path(stored.file.name), "wb") as handle:
            handle.write(good[:100] if damage == "truncated" else good[:-1] + bytes([good[-1] ^ 1]))
    services._verified.clear()  # as a fresh process would: no hash of this file known yet
    with caplog.at_level(logging.INFO, logger="kib.publication.datafiles"):
        response = client.get(url(indicator))
        assert response.streaming and "ETag" not in response
        assert downloads.body(response) == good
    assert "event=indicator_file_damaged" in caplog.text and "event=indicator_file_built" in caplog.text
    again = IndicatorFile.objects.get(indicator=indicator)
    assert (again.sha256, again.size) == (stored.sha256, stored.size)
    assert stored_bytes(again) == good
    assert client.get(url(indicator))["ETag"] == f'"{stored.sha256}"'


def test_an_archive_restore_that_adds_public_rows_leaves_no_stale_file_served(client, indicator):
    """Edition 2025 is lost with the number it published, and restored from its archive."""
    edition = next_edition_publishes(indicator)
    buffer = io.BytesIO()
    export_edition(edition, buffer)
    Edition.objects.filter(pk=edition.pk).delete()
    Observation.objects.filter(indicator=indicator, period="2024")._raw_delete(connection.alias)  # lost with it
    stored = datafiles.store_indicator(indicator)
    assert b"99125" not in stored_bytes(stored)
    buffer.seek(0)

    report = import_edition(buffer)

    assert report.reused["indicators.indicator"] == 1 and report.created["indicators.observation"] == 1
    assert Observation.objects.public().filter(indicator=indicator, published_value=99125).exists()
    response = client.get(url(indicator))
    assert response.streaming and "ETag" not in response
    assert b"99125" in downloads.body(response)
    assert stored_bytes(IndicatorFile.objects.get(indicator=indicator)) == fresh(indicator)


def test_a_download_costs_the_same_queries_with_ten_times_the_rows(client, indicator):
    def cost():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(indicator))
            downloads.body(response)
        return len(captured), "ETag" in response

    small = cost()
    for year in range(1980, 2020):
        f.observation(indicator, str(year), "5", public=True, territory="BON")
    streamed = cost()  # rows added: stale, streamed and stored again
    assert cost() == small == (1, True)
    assert not streamed[1]
