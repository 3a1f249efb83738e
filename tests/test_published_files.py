"""Files of a frozen edition are made once (issue 16 item 3).

The open-data zip and the CSV of a published edition are built when it is published (the demo
publishes 2024 and 2020 through ``publish_edition``) and when a correction closes, stored with
their size and SHA-256, checked before they are served, and served from storage. A damaged or
missing file is made again from the edition while the visitor waits, and logged. The edition in
preparation never gets a file.
"""

import hashlib
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.urls import reverse

from indicators.exporters import ObservationsCsvExporter, OpenDataZipExporter
from indicators.models import Indicator, Observation
from kib.demo import cycle
from kib.models import Edition
from kib.publication import datafiles
from kib.publication.models import PublishedFile
from kib.publication.receivers import without_pdf
from kib.workflow import notifications, services
from tests import downloads

pytestmark = pytest.mark.django_db

EXPORTS = {
    "open-data": ("edition_open_data", OpenDataZipExporter),
    "waarnemingen": ("edition_observations_csv", ObservationsCsvExporter),
}


def download(client, identifier, year=2024, status=200):
    response = client.get(reverse(f"public:{EXPORTS[identifier][0]}", args=[year]))
    assert response.status_code == status
    return response


def fresh(edition, identifier):
    return EXPORTS[identifier][1](edition, indicators=Indicator.objects.published()).render()


def stored_bytes(stored):
    with default_storage.open(stored.file.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("identifier", EXPORTS)
def test_publication_stores_the_file_and_the_site_serves_it_from_storage(client, demo_db, identifier, monkeypatch):
    edition = Edition.objects.get(year=2024)
    stored = PublishedFile.objects.get(edition=edition, identifier=identifier)  # made when load_demo published
    data = stored_bytes(stored)
    assert (len(data), hashlib.sha256(data).hexdigest()) == (stored.size, stored.sha256)
    assert data == fresh(edition, identifier).data  # byte-identical to a fresh build
    cls = EXPORTS[identifier][1]
    monkeypatch.setattr(cls, "render", lambda self: pytest.fail("rendered on request"))
    response = download(client, identifier)
    assert response.streaming  # from storage, not read into memory
    assert downloads.body(response) == data
    assert response["Content-Type"] == cls.content_type
    assert response["Content-Disposition"] == f'attachment; filename="{cls(edition).filename}"'
    assert response["ETag"] == f'"{stored.sha256}"'


def test_a_published_edition_has_its_files_in_storage_also_the_2020_edition(demo_db):
    for year in (2024, 2020):
        files = PublishedFile.objects.filter(edition__year=year)
        assert sorted(files.values_list("identifier", flat=True)) == sorted(datafiles.identifiers())
        assert all(default_storage.exists(stored.file.name) for stored in files)


@pytest.mark.parametrize("damage", ["truncated", "changed", "missing"])
def test_a_damaged_or_missing_file_is_made_again_logged_and_served(client, demo_db, damage, caplog):
    edition = Edition.objects.get(year=2024)
    stored = PublishedFile.objects.get(edition=edition, identifier="open-data")
    good = stored_bytes(stored)
    path = default_storage.path(stored.file.name)
    if damage == "missing":
        default_storage.delete(stored.file.name)
    else:
        with open(path, "wb") as handle:
            handle.write(good[:1000] if damage == "truncated" else good[:-1] + bytes([good[-1] ^ 1]))
    datafiles.services._verified.clear()  # as a fresh process would: no hash of this file known yet
    with caplog.at_level(logging.WARNING, logger="kib.publication.datafiles"):
        response = download(client, "open-data")
    assert downloads.body(response) == good
    again = PublishedFile.objects.get(pk=stored.pk)
    assert (again.sha256, again.size, again.damaged_at) == (stored.sha256, stored.size, None)
    assert stored_bytes(again) == good
    assert "event=data_file_damaged" in caplog.text and "event=data_file_built" in caplog.text


def test_a_damaged_file_shows_on_healthz(client, demo_db):
    stored = PublishedFile.objects.get(edition__year=2024, identifier="waarnemingen")
    with open(default_storage.path(stored.file.name), "wb") as handle:
        handle.write(b"kapot")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "2024 waarnemingen" in response.content.decode()
    download(client, "waarnemingen")  # a download makes it again
    assert client.get("/healthz").status_code == 200


def test_an_edition_published_before_files_were_stored_gets_them_at_the_first_download(client, demo_db):
    edition = Edition.objects.get(year=2024)
    PublishedFile.objects.filter(edition=edition).delete()
    response = download(client, "waarnemingen")
    stored = PublishedFile.objects.get(edition=edition, identifier="waarnemingen")
    assert downloads.body(response) == stored_bytes(stored) == fresh(edition, "waarnemingen").data


def test_a_closed_correction_builds_the_files_again(client, demo_db, django_capture_on_commit_callbacks):
    edition = Edition.objects.get(year=2024)
    before = PublishedFile.objects.get(edition=edition, identifier="waarnemingen")
    observation = Observation.objects.public().filter(indicator__theme__chapters__edition=edition).order_by("pk")[0]
    cycle.assign_roles()  # the demo accounts get their roles as the yearly cycle gives them
    coordinator = get_user_model().objects.get(username="coordinator")
    with without_pdf(), notifications.muted():
        services.open_correction(edition, by=coordinator, reason="Cijfer herzien")
        observation.value = observation.value + 1000
        observation.save()
        assert downloads.body(download(client, "waarnemingen")) == stored_bytes(before)  # still the published file
        with django_capture_on_commit_callbacks(execute=True):
            services.close_correction(edition, by=coordinator)
    after = PublishedFile.objects.get(edition=edition, identifier="waarnemingen")
    assert after.sha256 != before.sha256
    assert (
        downloads.body(download(client, "waarnemingen")) == stored_bytes(after) == fresh(edition, "waarnemingen").data
    )
    assert not default_storage.exists(before.file.name)  # the old file went once the new one was in


def test_publishing_the_next_edition_stores_its_files_and_leaves_the_earlier_ones(
    demo_db, django_capture_on_commit_callbacks
):
    earlier = {stored.identifier: stored.sha256 for stored in PublishedFile.objects.filter(edition__year=2024)}
    with without_pdf(), notifications.muted():
        next_edition = cycle.run_cycle()
    assert not PublishedFile.objects.filter(edition=next_edition).exists()  # in preparation: no file
    with pytest.raises(ValueError):
        datafiles.store(next_edition, "open-data")
    from kib.demo.growth import Grower

    coordinator = get_user_model().objects.get(username="coordinator")
    with without_pdf(), notifications.muted():
        Grower().edit_and_approve(next_edition)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_edition(next_edition, by=coordinator, reason="Test: teksten niet per stuk bekeken.")
    assert PublishedFile.objects.filter(edition=next_edition).count() == len(datafiles.identifiers())
    assert {s.identifier: s.sha256 for s in PublishedFile.objects.filter(edition__year=2024)} == earlier


def test_the_edition_in_preparation_has_no_public_file(client, demo_db):
    with without_pdf(), notifications.muted():
        cycle.run_cycle()
    for identifier in EXPORTS:
        download(client, identifier, year=2025, status=404)
    assert not PublishedFile.objects.filter(edition__year=2025).exists()
