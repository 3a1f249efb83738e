"""The stored PDF is downloaded as lean as a static file (kib/publication/middleware.py).

The download is answered right after SecurityMiddleware and WhiteNoise: no session, no user, no
language, no CSRF token, and no query once the lookup is cached; yet the same file, the same
validators and the same security headers as through the whole stack, and the request log line.
"""

import hashlib
import logging

import pytest
from django.core.files.base import ContentFile
from django.test import Client, modify_settings, override_settings
from django.urls import reverse

from kib.models import Edition
from kib.publication.models import PublishedPdf
from tests import factories as f

pytestmark = pytest.mark.django_db

MIDDLEWARE = "kib.publication.middleware.PdfDownloadMiddleware"
PUBLIC_CACHES = override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "download"},
        "public-version": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "download-v"},
    }
)
# What a download answers with, whichever way it is served; Vary and Content-Language came from
# the language middleware, which a file the same in every language does without.
SAME_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Length",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Content-Security-Policy",
)


def stored_pdf(year=2025, versions=1):
    """A published edition with ``versions`` stored PDFs, the last one current."""
    edition = f.edition(year=year, state=Edition.State.PUBLISHED)
    for version in range(1, versions + 1):
        data = b"%PDF-1.7\n" + f"versie {version}\n".encode() * 500 + b"%%EOF\n"
        pdf = PublishedPdf(
            edition=edition, version=version, sha256=hashlib.sha256(data).hexdigest(), size=len(data), page_count=1
        )
        pdf.is_current = version == versions
        pdf.file.save(f"kinderrechten-in-beweging-{year}-v{version}.pdf", ContentFile(data))
    return edition, data


def download(client, url, **headers):
    response = client.get(url, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_download_answers_before_sessions_and_authentication(client):
    _edition, data = stored_pdf()
    client.force_login(f.coordinator())  # a visitor with a session and a user
    response, body = download(client, reverse("public:edition_pdf", args=[2025]))
    assert response.status_code == 200 and body == data
    assert not hasattr(response.wsgi_request, "session") and not hasattr(response.wsgi_request, "user")
    assert "Set-Cookie" not in response and not response.cookies
    assert "Vary" not in response  # not "Cookie": every visitor gets the same file, shared caches may keep it


@PUBLIC_CACHES
def test_a_cached_download_costs_no_query_also_for_a_logged_in_visitor(client, django_assert_num_queries):
    stored_pdf(versions=2)
    client.force_login(f.coordinator())
    for url in (reverse("public:edition_pdf", args=[2025]), reverse("public:edition_pdf_version", args=[2025, 1])):
        client.get(url)  # looks the file up once
        with django_assert_num_queries(0):
            response, body = download(client, url)
        assert response.status_code == 200 and body.startswith(b"%PDF")
    assert b"versie 1" in body  # the earlier version, kept for the record


def test_the_download_keeps_the_headers_of_the_whole_stack(client):
    stored_pdf()
    url = reverse("public:edition_pdf", args=[2025])
    lean, lean_body = download(client, url)
    with modify_settings(MIDDLEWARE={"remove": [MIDDLEWARE]}):
        full, full_body = download(Client(), url)  # a new client loads the stack without it
    assert "Set-Cookie" not in full and hasattr(full.wsgi_request, "session")  # this one went the whole way
    assert lean_body == full_body
    for header in SAME_HEADERS:
        assert lean.get(header) == full.get(header), header
    assert lean["X-Frame-Options"] == "DENY" and "default-src 'none'" in lean["Content-Security-Policy"]
    assert lean["X-Content-Type-Options"] == "nosniff"
    assert lean["Content-Disposition"].startswith('attachment; filename="kinderrechten-in-beweging-2025-v1')


def test_the_download_validates_and_answers_304(client):
    stored_pdf()
    url = reverse("public:edition_pdf", args=[2025])
    response, _body = download(client, url)
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304 and not hasattr(not_modified.wsgi_request, "session")
    assert not_modified["X-Frame-Options"] == "DENY" and not_modified["X-Content-Type-Options"] == "nosniff"
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"iets-anders"').status_code == 200
    assert client.head(url).status_code == 200


def test_the_download_writes_the_request_log_line(client, caplog):
    stored_pdf()
    caplog.set_level(logging.INFO)
    response = client.get(reverse("public:edition_pdf", args=[2025]), HTTP_X_REQUEST_ID="proxy-1234abcd")
    [line] = [r.kv for r in caplog.records if getattr(r, "kv", {}).get("event") == "request"]
    assert line["path"] == "/editie/2025/pdf/" and line["status"] == 200 and line["user_id"] is None
    assert response["X-Request-ID"] == "proxy-1234abcd"


def test_what_the_download_does_not_serve_goes_down_the_stack(client):
    edition, _data = stored_pdf()
    url = reverse("public:edition_pdf", args=[2025])
    missing = client.get(reverse("public:edition_pdf_version", args=[2025, 7]))
    assert missing.status_code == 404 and hasattr(missing.wsgi_request, "session")  # the site's 404 page
    assert client.get("/editie/2025/pdf").status_code == 301  # CommonMiddleware adds the slash
    post = client.post(url)
    assert hasattr(post.wsgi_request, "session")  # not a download: the whole stack, CSRF included
    assert client.get(url, HTTP_HOST="kwaadaardig.example.org").status_code == 400  # ALLOWED_HOSTS still holds
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.PREPARATION)
    assert client.get(url).status_code == 404  # published editions only


class NoLocalFiles:
    """A storage as S3-compatible ones are: files only through the storage, no path on this machine."""

    def __init__(self, storage):
        self.storage = storage

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def open(self, name, mode="rb"):
        return self.storage.open(name, mode)


def test_a_storage_without_local_files_is_served_through_its_own_file_object(client, monkeypatch):
    from django.core.files.storage import default_storage

    from kib.publication import views

    _edition, data = stored_pdf()
    monkeypatch.setattr(views, "default_storage", NoLocalFiles(default_storage))
    response, body = download(client, reverse("public:edition_pdf", args=[2025]))
    assert response.status_code == 200 and body == data
    assert response["Content-Length"] == str(len(data))
