"""The download looks its stored PDF up once per content version and process (kib.public_cache.kept).

With the production caches (the page cache in memory, the content version shared), a download
reads neither the database nor the page cache once the file is known, a new publication (a new
content version) is served at once, and the file is still checked on every download.
"""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from kib import public_cache
from kib.publication import services
from kib.publication.models import PublishedPdf
from tests import factories as f
from tests.test_publication import PUBLIC_CACHES, download

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    services._verified.clear()
    public_cache._kept.clear()


def store(edition, version):
    data = b"%PDF-1.7\n" + f"versie {version}\n".encode() * 200 + b"%%EOF\n"
    PublishedPdf.objects.filter(edition=edition).update(is_current=False)
    pdf = PublishedPdf(edition=edition, version=version, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    pdf.page_count, pdf.is_current = 1, True
    pdf.file.save(f"kib-{edition.year}-v{version}.pdf", ContentFile(data))
    return pdf, data


def committed():
    """The new content version a commit starts (``public_cache.content_changed``: one callback per transaction;
    the test's own transaction, never committed, holds the first one)."""
    public_cache._new_version()


@PUBLIC_CACHES
def test_a_known_download_reads_neither_the_database_nor_the_page_cache(client, monkeypatch, django_assert_num_queries):
    edition = f.published_edition(year=2025)
    store(edition, 1)
    committed()
    url = reverse("public:edition_pdf", args=[2025])
    assert download(client, url)[1].count(b"versie 1") == 200
    monkeypatch.setattr(public_cache, "cached", lambda *a: pytest.fail("read the page cache"))
    with django_assert_num_queries(0):
        response, body = download(client, url)
    assert response.status_code == 200 and b"versie 1" in body
    monkeypatch.undo()

    _pdf, data = store(edition, 2)  # a correction's new version
    committed()
    response, body = download(client, url)
    assert body == data and "v2.pdf" in response["Content-Disposition"]


@PUBLIC_CACHES
def test_a_known_download_still_checks_the_file(client):
    edition = f.published_edition(year=2025)
    pdf, _data = store(edition, 1)
    committed()
    url = reverse("public:edition_pdf", args=[2025])
    assert download(client, url)[0].status_code == 200
    with open(pdf.file.path, "ab") as handle:  # one byte more: the size differs from the record
        handle.write(b"x")
    assert client.get(url).status_code == 503


def test_without_a_shared_version_nothing_is_kept(client):
    edition = f.published_edition(year=2025)
    store(edition, 1)
    assert download(client, reverse("public:edition_pdf", args=[2025]))[0].status_code == 200
    assert public_cache._kept == {}  # the tests' dummy caches: every download looks the file up, as before
