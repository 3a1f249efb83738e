"""The public site follows the visitor's language; the editorial admin is always Dutch."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_site_answers_in_english_to_a_browser_that_prefers_it(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en"' in html


def test_public_site_is_dutch_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="nl"' in html


def test_admin_is_dutch_whatever_the_browser_prefers(client):
    client.force_login(f.coordinator())
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="nl"' in html and "Welkom" in html and "Welcome" not in html


def test_admin_login_page_is_dutch_too(client):
    html = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nl"' in html and "Gebruikersnaam" in html
