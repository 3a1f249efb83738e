"""Database queries per public page do not grow with the number of editions or recommendations.

Each page is measured on a data set and on the same data set doubled (twice the editions,
twice the recommendations, twice the parts of the chapter measured); the counts must be equal. Pages are measured with an empty page
cache (the cost of rebuilding a page); a cached page costs no query at all.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from kib.models import Edition
from tests import factories as f

pytestmark = pytest.mark.django_db

# Every page stays within the brief's 10 queries, the chapter page too: it prints every part of
# the chapter (the small part tables in one query, see themes.layout.load_printed_parts)
# and draws its figures from indicator series in three.
LIMIT = 10


def add_editions(themes, years, letters):
    """Published editions for ``years``, each with a full chapter per theme tracking recommendations ``letters``."""
    co = f.concluding_observations()
    recs = {
        theme: [f.recommendation(f"{theme.number}{letter}", co=co, theme=theme) for letter in letters]
        for theme in themes
    }
    for year in years:
        edition = f.edition(year=year, state=Edition.State.PUBLISHED, concluding_observations=co)
        for theme in themes:
            f.full_chapter(edition, theme, recs[theme])
    return recs


def pages(theme, rec):
    """One URL of every kind of public page, all about the first edition (2010)."""
    indicator = Edition.objects.get(year=2010).chapters.get(theme=theme).figures.get().chart.series.get().indicator
    tracker = reverse("public:recommendations")
    return {
        "home": "/",
        "edition": "/editie/2010/",
        "chapter": f"/editie/2010/{theme.slug}/",
        "tracker": tracker,
        "tracker filtered": tracker + f"?thema={theme.number}&editie=2010&beweging=progress&blinde_vlek=ja&gebied=CN",
        "tracker by words": tracker + f"?zoek=Aanbeveling&code={rec.code}&pagina=1",
        "recommendation": rec.get_absolute_url(),
        "indicators": reverse("public:indicators"),
        "indicator": indicator.get_absolute_url(),
        "indicator csv": reverse("public:indicator_csv", args=[indicator.code]),
    }


def measure(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


def test_queries_per_page_do_not_grow_when_editions_recommendations_and_parts_double(
    client, django_assert_max_num_queries
):
    themes = [f.theme() for _ in range(3)]
    recs = add_editions(themes, years=[2010, 2011], letters="abc")
    urls = pages(themes[0], recs[themes[0]][0])
    measure(client, urls)  # settles per-process caches (content types) outside the measurement
    before = measure(client, urls)

    more = add_editions(themes, years=[2012, 2013], letters="def")  # twice the editions, twice the recommendations
    chapter = Edition.objects.get(year=2010).chapters.get(theme=themes[0])
    f.chapter_parts(chapter, more[themes[0]])  # and twice every part, figure and data gap of the chapter measured
    assert measure(client, urls) == before
    for url in urls.values():
        with django_assert_max_num_queries(LIMIT):
            client.get(url)


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "queries"},
        "public-version": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "queries-v"},
    }
)
def test_a_page_from_the_public_cache_costs_no_query(client, django_assert_num_queries):
    themes = [f.theme()]
    recs = add_editions(themes, years=[2010], letters="ab")
    for name, url in pages(themes[0], recs[themes[0]][0]).items():
        client.get(url)
        if name == "indicator csv":  # a download, not a cached page
            continue
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200
