"""A published edition's data files are streamed from storage (issue 16: costs flat as editions add up).

The edition CSV of a grown data set is a few MB. The site streams the stored file (a
``FileResponse``: a WSGI server sends it with its file wrapper) instead of reading it into
memory, checks it with one ``stat`` per request and its SHA-256 once per file and process,
and answers a client that already has it (its ETag) with a 304.
"""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from kib.publication import datafiles, services
from kib.publication.models import PublishedFile
from tests import downloads

pytestmark = pytest.mark.django_db

URLS = {"open-data": "public:edition_open_data", "waarnemingen": "public:edition_observations_csv"}


def stored_bytes(stored):
    with default_storage.open(stored.file.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("identifier", URLS)
def test_the_download_streams_the_stored_file_with_its_size_and_etag(client, demo_db, identifier):
    stored = PublishedFile.objects.get(edition__year=2024, identifier=identifier)
    response = client.get(reverse(URLS[identifier], args=[2024]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Length"] == str(stored.size)
    assert response["ETag"] == f'"{stored.sha256}"'
    assert downloads.body(response) == stored_bytes(stored)


def test_a_visitor_who_has_the_file_gets_a_304_without_the_bytes(client, demo_db):
    stored = PublishedFile.objects.get(edition__year=2024, identifier="waarnemingen")
    url = reverse(URLS["waarnemingen"], args=[2024])
    response = client.get(url, headers={"if-none-match": f'"{stored.sha256}"'})
    assert response.status_code == 304
    assert response.content == b""
    other = client.get(url, headers={"if-none-match": '"een-andere-versie"'})
    assert other.status_code == 200 and downloads.body(other) == stored_bytes(stored)


def test_the_file_is_hashed_once_per_process_not_on_every_download(client, demo_db, monkeypatch):
    services._verified.clear()  # as a fresh process
    hashed = []
    real = services._sha256
    monkeypatch.setattr(services, "_sha256", lambda name, path: hashed.append(name) or real(name, path))
    url = reverse(URLS["waarnemingen"], args=[2024])
    first, second = (downloads.body(client.get(url)) for _ in range(2))
    assert first == second
    assert len(hashed) == 1


def test_a_file_gone_between_its_check_and_the_download_is_made_again(client, demo_db, monkeypatch):
    stored = PublishedFile.objects.get(edition__year=2024, identifier="waarnemingen")
    good = stored_bytes(stored)
    default_storage.delete(stored.file.name)
    monkeypatch.setattr(datafiles, "_check", lambda stored: None)  # the check passed a moment before
    response = client.get(reverse(URLS["waarnemingen"], args=[2024]))
    assert response.status_code == 200
    assert downloads.body(response) == good
    assert default_storage.exists(PublishedFile.objects.get(pk=stored.pk).file.name)
