"""The public site's frame: the page cache, languages, accessibility basics, security headers."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLIC_CACHE = override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "site-tests"},
        "public-version": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "site-tests-v"},
    }
)


@pytest.fixture
def public_cache():
    from django.core.cache import caches

    with PUBLIC_CACHE:
        caches["public"].clear()
        caches["public-version"].clear()
        yield caches["public"]
        caches["public"].clear()
        caches["public-version"].clear()


@pytest.fixture
def chapter():
    edition = f.edition(year=2024)
    chapter = f.full_chapter(edition, f.theme(number=8, title="Migratie", slug="migratie"), text="eerste versie")
    f.publish(edition)
    return chapter


# -- the page cache ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_committed_correction_shows_on_the_next_request(client, chapter, public_cache):
    assert "eerste versie" in client.get(chapter.get_absolute_url()).content.decode()
    definition = chapter.definitions.get()
    definition.body = "<p>gecorrigeerde definitie</p>"
    definition.save()
    assert "gecorrigeerde definitie" in client.get(chapter.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_starts_a_new_version_once_when_its_transaction_commits(chapter, public_cache):
    from django.db import connection, transaction

    from kib.public_cache import _new_version, content_version

    version = content_version()
    with transaction.atomic():
        chapter.save()
        chapter.definitions.get().save()
        assert content_version() == version  # not before the commit: a request now would cache the old state
        assert len([entry for entry in connection.run_on_commit if entry[1] is _new_version]) == 1
    assert content_version() != version


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_keeps_the_version(chapter, public_cache):
    from django.db import transaction

    from kib.public_cache import content_version

    version = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        chapter.save()
        raise RuntimeError("stop")
    assert content_version() == version
    chapter.save()
    assert content_version() != version


def test_each_visitor_of_a_cached_page_gets_a_language_link_back_to_their_own_address(chapter, public_cache):
    from django.test import Client

    def back(client, query):
        page = client.get(chapter.get_absolute_url() + query).content.decode()
        assert "csrfmiddlewaretoken" not in page and not client.cookies  # nothing per visitor but the address
        return html.unescape(re.search(r'<a href="/taal/en/\?next=([^"]+)"', page)[1])

    assert back(Client(), "?van=krant") == quote(chapter.get_absolute_url() + "?van=krant", safe="")
    assert back(Client(), "") == quote(chapter.get_absolute_url(), safe="")


# -- languages -----------------------------------------------------------------------


def test_dutch_by_default_english_on_request(client, chapter):
    page = client.get("/").content.decode()
    assert '<html lang="nl">' in page and "Naar de inhoud" in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page and "Skip to content" in page
    assert 'lang="nl"' in client.get(chapter.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_language_link_switches_to_english_and_back(client, chapter):
    url = chapter.get_absolute_url()
    page = client.get(url + "?a=1&b=2").content.decode()
    link = re.search(r'<a href="([^"]+)" hreflang="en" lang="en">English</a>', page)
    assert link and html.unescape(link[1]) == "/taal/en/?next=" + quote(url + "?a=1&b=2", safe="")
    response = client.get(html.unescape(link[1]))
    assert response.status_code == 302 and response["Location"] == url + "?a=1&b=2"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en" and "no-cache" in response["Cache-Control"]
    page = client.get(response["Location"]).content.decode()
    assert "Skip to content" in page
    back = quote(url + "?a=1&b=2", safe="")
    assert f'<a href="/taal/nl/?next={back}" hreflang="nl" lang="nl">Nederlands</a>' in page
    client.get("/taal/nl/?next=/")
    assert "Naar de inhoud" in client.get(url).content.decode()


@pytest.mark.parametrize("back", ["https://elders.example/", "//elders.example/", "javascript:alert(1)", ""])
def test_the_language_link_goes_back_only_to_this_site(client, back):
    response = client.get("/taal/en/", {"next": back})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_language_is_not_found_and_sets_nothing(client):
    response = client.get("/taal/fr/?next=/")
    assert response.status_code == 404 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_public_page_sets_no_cookie(client, chapter):
    for url in ("/", chapter.get_absolute_url(), reverse("public:search") + "?q=wachtlijst", reverse("public:recommendations")):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.content.decode(), url


def test_the_page_cache_keeps_the_languages_apart(client, chapter, public_cache):
    assert "Naar de inhoud" in client.get("/").content.decode()
    assert "Skip to content" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Naar de inhoud" in client.get("/").content.decode()


# -- accessibility basics (the browser tests check the rest) -----------------------------


@pytest.mark.parametrize("name", ["home", "chapter", "tracker", "indicator"])
def test_every_page_has_landmarks_a_skip_link_and_one_h1(client, chapter, name):
    indicator = chapter.figures.get().chart.series.get().indicator
    url = {
        "home": "/",
        "chapter": chapter.get_absolute_url(),
        "tracker": reverse("public:recommendations"),
        "indicator": indicator.get_absolute_url(),
    }[name]
    page = client.get(url).content.decode()
    assert '<a class="skip" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page and "<nav" in page
    assert page.count("<h1") == 1
    assert "<script" not in page  # works without JavaScript
    assert 'style="' not in page  # nothing the content security policy would block


def test_form_fields_of_the_tracker_have_labels(client, chapter):
    page = client.get(reverse("public:recommendations")).content.decode()
    for field_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', page):
        assert f'<label for="{field_id}">' in page


# -- security headers ----------------------------------------------------------------


def test_public_pages_carry_a_strict_content_security_policy(client, chapter):
    response = client.get(chapter.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_admin_login_carries_the_same_policy(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    root = Path(__file__).resolve().parents[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KIB_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-production-like-secret-key-" + "x9Q2-" * 10,
        DJANGO_ALLOWED_HOSTS="kib.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        KIB_PUBLIC_CACHE_DIR=str(tmp_path / "cache"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_english_catalogue_has_no_guessed_translations():
    po = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"
    entries = po.read_text(encoding="utf-8").split("\n\n")[1:]  # after the header
    assert [entry for entry in entries if "#, fuzzy" in entry] == []
    assert (po.parent / "django.mo").exists()


def test_a_missing_page_keeps_the_site_frame_and_names_no_draft(client):
    f.edition(year=2025, title="Geheime conceptversie")
    response = client.get("/editie/2025/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Deze pagina bestaat niet (meer)" in page and '<main id="main"' in page
    assert "Geheime conceptversie" not in page
