"""The search page's cost: three queries whatever it finds, the same results as the plain way.

The cast: an anonymous visitor (a journalist) searching 2023 and 2024 (published) while 2025 is
in preparation. ``tests/test_search.py`` holds what the results say; this file holds what they cost
and that the one UNION ALL query finds what a query per kind of text finds (``matching``).
"""

import re

import pytest
from django.urls import reverse

from kib.models import Edition
from tests import factories as f
from themes import search
from themes.models import Chapter, ChapterSection, Definition, LatestDevelopment

pytestmark = pytest.mark.django_db
URL = reverse("public:search")


@pytest.fixture
def editions():
    youth = f.theme(number=6, slug="jeugdhulp", title="Jeugdhulp", nav_label="Jeugdhulp")
    result = {}
    for year in (2023, 2024):
        edition = f.edition(year=year, state=Edition.State.PUBLISHED)
        chapter = f.chapter(edition=edition, theme=youth, state=Chapter.State.APPROVED, summary="<p>De wachtlijst groeit.</p>")
        ChapterSection.objects.create(chapter=chapter, title="Toegang", body="<p>Wachtlijst jeugdzorg 80.000</p>")
        LatestDevelopment.objects.create(chapter=chapter, title="Wachtlijst", body="<p>Nieuwe cijfers jeugdzorg</p>")
        Definition.objects.create(chapter=chapter, question="Wat is jeugdzorg?", body="<p>Zorg; ook de wachtlijst_100%.</p>")
        result[year] = edition
    draft = f.edition(year=2025)
    ChapterSection.objects.create(chapter=f.chapter(edition=draft, theme=youth), title="Concept", body="<p>wachtlijst jeugdzorg</p>")
    return result


def test_a_search_page_costs_three_queries_however_many_editions_and_hits(client, editions, django_assert_num_queries):
    for year in (2021, 2022):
        f.full_chapter(f.edition(year=year, state=Edition.State.PUBLISHED), f.theme(), text="wachtlijst jeugdzorg")
    with django_assert_num_queries(3):  # the published editions, the published chapters, the one UNION ALL
        html = client.get(URL + "?q=wachtlijst+jeugdzorg").content.decode()
    assert re.findall(r'<h3 id="editie-(\d+)">', html) == ["2024", "2023", "2022", "2021"]


def test_the_union_finds_what_a_query_per_kind_of_text_finds(editions):
    for query in ("wachtlijst", "wachtlijst jeugdzorg", "jeugdzorg", "80.000", "wachtlijst_100", "t_1"):
        expected = sorted(
            (index, obj.pk) for index, source in enumerate(search.SOURCES) for obj in search.matching(source, query)
        )
        chapters = list(Chapter.objects.published().select_related("edition", "theme"))
        found = sorted((index, pk) for index, _order, pk, *_rest in search._hits(query, [c.pk for c in chapters]))
        assert found == expected, query
    assert search.search("wachtlijst")[1] == 8  # 2023 and 2024: summary, section, latest development, definition
    assert search.search("wachtlijst", year=2024, theme_slug="jeugdhulp")[1] == 4


def test_the_chosen_filters_stay_selected(client, editions):
    html = client.get(URL + "?q=wachtlijst&editie=2023&thema=jeugdhulp").content.decode()
    assert '<option value="2023" selected>' in html and '<option value="2024">' in html
    assert '<option value="jeugdhulp" selected>' in html and '<option value="" selected>' not in html
    assert '<select name="editie" id="id_editie">' in html
    html = client.get(URL + "?q=wachtlijst").content.decode()
    assert html.count('<option value="" selected>') == 2


LIVE_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search-speed"},
    "public-version": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search-speed-v"},
}


@pytest.mark.django_db(transaction=True)  # the content version changes when a transaction commits
def test_with_the_page_cache_on_a_search_is_one_query_and_a_publication_shows_at_once(
    client, editions, django_assert_num_queries
):
    from django.core.cache import caches
    from django.test import override_settings

    with override_settings(CACHES=LIVE_CACHES):
        caches["public"].clear()
        client.get(URL + "?q=wachtlijst")  # reads the published editions and chapters once
        with django_assert_num_queries(1):  # then only the search itself: the results are never cached
            html = client.get(URL + "?q=jeugdzorg").content.decode()
        assert re.findall(r'<h3 id="editie-(\d+)">', html) == ["2024", "2023"]
        Edition.objects.filter(year=2025).update(state=Edition.State.PUBLISHED)  # (the state as publishing sets it)
        Edition.objects.get(year=2025).save()  # a change through the models: a new content version on commit
        html = client.get(URL + "?q=wachtlijst+jeugdzorg").content.decode()
        assert re.findall(r'<h3 id="editie-(\d+)">', html) == ["2025", "2024", "2023"]
        assert '<option value="2025">' in html
