"""The HTML preview of a chapter: the page as printed, for who writes and reviews it, never public.

The cast: a coordinator (previews every chapter), a UNICEF editor (chapter_a only), a Defence
for Children editor (not chapter_a), an anonymous visitor (only the login page).
"""

import pytest
from django.urls import reverse

from tests import factories as f
from themes.models import LatestDevelopment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    f.chapter_parts(cast.chapter_a, text="conceptzin")
    LatestDevelopment.objects.create(
        chapter=cast.chapter_a, title="Nieuwe jeugdwet", body="<p>In werking per 2026.</p>"
    )
    return cast


def preview_url(chapter, **query):
    url = reverse("chapter_preview", args=[chapter.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_url_is_under_the_admin():
    assert reverse("chapter_preview", args=[7]) == "/admin/hoofdstukken/7/voorbeeld/"


def test_anonymous_visitor_is_sent_to_the_login(client, cast):
    response = client.get(preview_url(cast.chapter_a))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_editor_of_another_organisation_gets_404(client, cast):
    client.force_login(cast.editor_b)
    assert client.get(preview_url(cast.chapter_a)).status_code == 404


def test_unknown_chapter_gets_404(client, cast):
    client.force_login(cast.coordinator)
    assert client.get(reverse("chapter_preview", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["editor_a", "coordinator"])
def test_chapter_rendered_as_printed_with_a_concept_mark(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(preview_url(cast.chapter_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview-mark"' in html and "CONCEPT" in html
    assert '<div class="chapter-body">' in html  # templates/report/chapter_body.html
    assert "Nieuwe jeugdwet" in html and "In werking per 2026." in html and "conceptzin" in html
    assert "/static/kib/site.css" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_headers_keep_it_private_and_framable_by_our_own_pages_only(client, cast):
    client.force_login(cast.editor_a)
    response = client.get(preview_url(cast.chapter_a))
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache and "public" not in cache
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    assert "unsafe-inline" not in policy


def test_other_admin_pages_still_refuse_frames(client, cast):
    client.force_login(cast.editor_a)
    response = client.get(reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_section_opens_the_preview_at_that_section(client, cast):
    client.force_login(cast.editor_a)
    html = client.get(preview_url(cast.chapter_a, sectie="laatste")).content.decode()
    assert 'data-printed-at=".latest-developments"' in html
    assert "sectie Laatste ontwikkelingen" in html
    assert "/static/kib/preview.js" in html and "<script>" not in html  # no inline script (CSP)


def test_unknown_section_shows_the_whole_chapter(client, cast):
    client.force_login(cast.editor_a)
    response = client.get(preview_url(cast.chapter_a, sectie="onzin"))
    assert response.status_code == 200 and "data-printed-at" not in response.content.decode()


def test_draft_stays_off_the_public_site(client, cast):
    assert client.get(f"/editie/2025/{cast.chapter_a.theme.slug}/").status_code == 404


def test_every_section_has_its_place_in_the_printed_chapter():
    from themes import sections
    from themes.preview import PRINTED_AT

    assert set(PRINTED_AT) == set(sections.BY_KEY)
