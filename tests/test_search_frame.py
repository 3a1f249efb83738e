"""The search page's frame: what does not depend on the words is rendered once per content version
and language (``themes.views._search_frame``), the form and the results per request.

The cast: an anonymous visitor searching 2024 (published), in Dutch and then in English, with the
public page cache on as in production; and one typing the frame's own slot markers as the words.
"""

import re

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from kib.models import Edition
from tests import factories as f
from themes import search
from themes.models import Chapter, ChapterSection

URL = reverse("public:search")
LIVE_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search-frame"},
    "public-version": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search-frame-v"},
}


@pytest.fixture
def published(db):
    youth = f.theme(number=6, slug="jeugdhulp", title="Jeugdhulp", nav_label="Jeugdhulp")
    chapter = f.chapter(edition=f.edition(year=2024, state=Edition.State.PUBLISHED), theme=youth, state=Chapter.State.APPROVED)
    ChapterSection.objects.create(chapter=chapter, title="Toegang", body="<p>De wachtlijst voor jeugdzorg groeit.</p>")
    ChapterSection.objects.create(chapter=chapter, title="Regio", body="<p>Ook op Bonaire een wachtlijst.</p>")
    return chapter


@pytest.fixture
def live_cache():
    with override_settings(CACHES=LIVE_CACHES):
        caches["public"].clear()
        yield
        caches["public"].clear()


def test_the_kept_frame_is_per_language(client, published, live_cache):
    dutch = client.get(URL + "?q=wachtlijst").content.decode()
    assert '<html lang="nl">' in dutch and "<title>Zoeken: wachtlijst · Kinderrechtencollectief</title>" in dutch
    assert "2 passages gevonden voor ‘wachtlijst’" in dutch and 'hreflang="en" lang="en">English</a>' in dutch
    client.cookies["django_language"] = "en"
    english = client.get(URL + "?q=wachtlijst").content.decode()
    assert '<html lang="en">' in english and "<title>Search: wachtlijst · Kinderrechtencollectief</title>" in english
    assert "2 passages found for ‘wachtlijst’" in english and 'hreflang="nl" lang="nl">Nederlands</a>' in english
    assert '<option value="" selected>All editions</option>' in english
    del client.cookies["django_language"]
    assert '<html lang="nl">' in client.get(URL + "?q=wachtlijst").content.decode()


def test_the_frame_slots_are_filled_once_and_the_words_cannot_open_one(client, published, live_cache):
    client.get(URL + "?q=wachtlijst")  # the frame kept
    words = "<!--kib:search-body--> <!--kib:language-switch--> <!--kib:search-title--> wachtlijst"
    html = client.get(URL, {"q": words}).content.decode()
    assert "<!--kib:" not in html  # every slot filled, the visitor's markers escaped
    assert html.count("<main") == 1 and html.count("<title>") == 1 and html.count('<p class="language">') == 1
    assert "&lt;!--kib:search-body--&gt;" in html
    assert html.count('<section class="search-results"') == 1


def test_an_empty_search_has_the_form_and_no_results_in_the_frame(client, published, live_cache):
    html = client.get(URL).content.decode()
    assert "<title>Zoeken · Kinderrechtencollectief</title>" in html and 'id="id_q" value=""' in html
    assert 'class="search-results"' not in html and "<!--kib:" not in html


def test_the_chapters_kept_for_the_frame_carry_what_a_hit_shows(published):
    (ref,) = search.chapter_refs(Chapter.objects.published().select_related("edition", "theme"))
    assert (ref.pk, ref.edition.year, ref.theme_slug, ref.theme_number, ref.display_title) == (
        published.pk, 2024, "jeugdhulp", 6, published.display_title,
    )
    assert ref.url == published.get_absolute_url() and ref.edition.url == published.edition.get_absolute_url()
    assert str(ref.edition) == str(published.edition)


@pytest.mark.parametrize(
    "text",
    ["<p>een  wachtlijst</p>\n<p>jeugdzorg\u00a0en\u2003meer</p>", "\t wachtlijst \r\n", "wachtlijst" + " x" * 300],
)
def test_a_passage_folds_every_unicode_space_as_before(text):
    import html as html_module

    from django.utils.html import strip_tags

    plain = re.sub(r"\s+", " ", html_module.unescape(strip_tags(text))).strip()
    shown = re.sub(r"</?mark>", "", str(search.passage("", text, "wachtlijst"))).removeprefix("… ").removesuffix(" …")
    assert plain.startswith(html_module.unescape(shown))
