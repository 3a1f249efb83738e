"""The public site as an anonymous visitor sees it: the report online, the tracker, the figures,
never a draft, and what each page costs.

The query counts are measured on a data set and on the same data set doubled (twice the
editions, twice the recommendations, twice the parts of the chapter measured); the counts must
be equal. Pages are measured with an empty page cache (the cost of rebuilding a page); a cached
page costs no query at all. The site's frame (page cache, languages, accessibility, security
headers) is in test_public_site.py, the PDF download in test_publication.py.
"""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from indicators.chart_data import take_snapshot
from kib.models import Edition
from recommendations.models import Recommendation
from tests import downloads
from tests import factories as f
from themes.models import Chapter, ChapterRecommendation

pytestmark = pytest.mark.django_db


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response


def text(response):
    return response.content.decode()


# -- the demo: what a visitor finds ------------------------------------------------


def test_home_shows_the_latest_edition_its_themes_and_the_archive_with_2020(client, demo_db):
    page = text(get(client, "/"))
    assert "Kinderrechten in Beweging 2024" in page
    assert "maart 2023 – maart 2024" in page
    assert page.count('href="/editie/2024/') >= 10  # the ten themes
    assert 'href="/editie/2020/"' in page  # Kinderrechten in Cijfers 2020 in the archive
    assert "Kinderrechten in Cijfers 2020" in page


def test_edition_page_lists_its_themes_and_the_open_data(client, demo_db):
    page = text(get(client, "/editie/2024/"))
    for number in range(1, 11):
        assert f'<span class="n" aria-hidden="true">{number}</span>' in page
    assert reverse("public:edition_open_data", args=[2024]) in page
    assert "CRC/C/NLD/CO/5-6" in page


def test_chapter_page_holds_the_printed_parts(client, demo_db):
    page = text(get(client, "/editie/2024/migratie/"))
    for heading in [
        "Zo staat het ervoor",
        "Kengetallen",
        "Aanbevelingen VN-Kinderrechtencomité",
        "Laatste ontwikkelingen",
    ]:
        assert heading in page
    assert "Figuur 1." in page
    assert "Blinde vlekken" in page
    assert 'aria-current="page"' in page  # the theme stands out in the theme bar
    assert re.search(r'<a href="https://[^"]+">https://', page)  # sources as links
    chapter = Chapter.objects.get(edition__year=2024, theme__number=8)
    for link in chapter.chapter_recommendations.select_related("recommendation"):
        assert link.recommendation.get_absolute_url() in page


def test_chapter_shows_caribbean_parts_and_footnotes(client, demo_db):
    chapter = Chapter.objects.filter(edition__year=2024, development_groups__items__territory="BON").first()
    page = text(get(client, chapter.get_absolute_url()))
    assert "Bonaire" in page
    assert 'class="fn"' in page


def test_2020_chapter_shows_its_own_structure(client, demo_db):
    page = text(get(client, "/editie/2020/migratie/"))
    assert "Waar maken we ons zorgen over?" in page
    assert "/editie/2024/migratie/" in page  # the same theme in the other edition


def test_figures_are_inline_svg_with_title_and_a_data_table(client):
    edition = f.edition(year=2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))
    f.publish(edition)
    page = text(get(client, chapter.get_absolute_url()))
    assert re.search(r'<svg [^>]*role="img"', page)
    assert "<title id=" in page
    assert '<details class="figure-data">' in page
    assert '<th scope="col" class="num">2023</th>' in page


def test_chapter_links_the_current_pdf_of_its_edition_with_its_size(client):
    from django.core.files.base import ContentFile

    from kib.publication.models import PublishedPdf

    edition = f.edition(year=2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))
    f.publish(edition)
    assert "het hele rapport als pdf" not in text(get(client, chapter.get_absolute_url()))
    for version, size in ((1, 1000), (2, 2048)):
        pdf = PublishedPdf(edition=edition, version=version, sha256="0" * 64, size=size, page_count=1)
        pdf.is_current = version == 2
        pdf.file.save(f"kib-2024-v{version}.pdf", ContentFile(b"%PDF-1.7\n" + b"0" * (size - 10)))
    page = text(get(client, chapter.get_absolute_url()))
    assert '<a href="/editie/2024/pdf/" type="application/pdf" download>het hele rapport als pdf</a> (2,0' in page
    assert "/pdf/v1/" not in page


def test_recommendation_page_shows_what_each_published_edition_said(client):
    co = f.concluding_observations()
    theme = f.theme(number=8, slug="migratie")
    rec = f.recommendation("37a", co=co, theme=theme)
    for year in (2023, 2024):
        edition = f.edition(year=year, concluding_observations=co)
        f.full_chapter(edition, theme, [rec], text=f"uit-{year}")
        if year == 2024:
            ChapterRecommendation.objects.filter(chapter__edition=edition).update(
                movement=ChapterRecommendation.Movement.REGRESSION, movement_reasoning="Meer kinderen in de noodopvang."
            )
        f.publish(edition)
    page = text(get(client, rec.get_absolute_url()))
    assert page.index("uit-2023") < page.index("uit-2024")  # a timeline, oldest first
    assert "vooruitgang" in page and "achteruitgang" in page
    assert "Meer kinderen in de noodopvang." in page
    assert "Bonaire" in page  # the Caribbean item of the development group
    assert "Blinde vlek" in page


def test_indicator_page_has_chart_table_flags_sources_and_csv(client):
    edition = f.edition(year=2024)
    chapter = f.full_chapter(edition, f.theme())
    f.publish(edition)
    indicator = chapter.figures.get().chart.series.get().indicator
    page = text(get(client, indicator.get_absolute_url()))
    assert "<svg" in page and "Alle waarnemingen" in page
    assert "voorlopig" in page  # the flag of the 2023 value
    assert reverse("public:indicator_csv", args=[indicator.code]) in page
    response = get(client, reverse("public:indicator_csv", args=[indicator.code]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = downloads.body(response).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("indicator,periode")
    assert f"{indicator.code},2023" in body


def test_edition_open_data_zip_holds_the_csvs(client, demo_db):
    import io
    import zipfile

    response = get(client, reverse("public:edition_open_data", args=[2024]))
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(downloads.body(response))).namelist()
    assert any(name.endswith("waarnemingen.csv") for name in names)
    assert any(name.endswith("README.txt") for name in names)


def test_ping_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = get(client, "/ping")
    assert response.content == b"ok\n"


# -- the tracker -------------------------------------------------------------------


def codes(response):
    return re.findall(r'href="/aanbevelingen/\d+/([^/"]+)/"', text(response))


def test_tracker_lists_all_recommendations_of_the_concluding_observations(client, demo_db):
    response = get(client, reverse("public:recommendations"))
    assert len(codes(response)) == Recommendation.objects.count() == 49


def test_tracker_filters_by_theme(client, demo_db):
    response = get(client, reverse("public:recommendations") + "?thema=8")
    assert codes(response) == ["37a", "37b", "37f", "38a", "38b", "38d", "38e"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("code=37f", ["37f"]),
        ("code=37", ["37a", "37b", "37f"]),
        ("code=37F", ["37f"]),
        ("zoek=noodopvanglocaties+investeer", ["37f"]),
    ],
)
def test_tracker_filters_by_code_and_words(client, demo_db, query, expected):
    assert codes(get(client, reverse("public:recommendations") + "?" + query)) == expected


def test_tracker_filters_by_edition_territory_and_data_gaps(client, demo_db):
    url = reverse("public:recommendations")
    assert len(codes(get(client, url + "?editie=2024"))) == 49
    with_gap, without_gap = codes(get(client, url + "?blinde_vlek=ja")), codes(get(client, url + "?blinde_vlek=nee"))
    assert with_gap and without_gap and len(with_gap) + len(without_gap) == 49
    caribbean = codes(get(client, url + "?gebied=CN"))
    bonaire = codes(get(client, url + "?gebied=BON"))
    assert bonaire and set(bonaire) <= set(caribbean)


def test_tracker_filters_by_movement_in_the_chosen_edition(client):
    co = f.concluding_observations()
    theme = f.theme()
    rec_a, rec_b = f.recommendation("15b", co=co, theme=theme), f.recommendation("15c", co=co, theme=theme)
    e2023 = f.edition(year=2023, concluding_observations=co)
    e2024 = f.edition(year=2024, concluding_observations=co)
    f.full_chapter(e2023, theme, [rec_a, rec_b])
    f.full_chapter(e2024, theme, [rec_a, rec_b])
    ChapterRecommendation.objects.filter(chapter__edition=e2024, recommendation=rec_b).update(movement="regression")
    f.publish(e2023)
    f.publish(e2024)
    url = reverse("public:recommendations")
    assert codes(get(client, url + "?beweging=regression")) == ["15c"]
    assert codes(get(client, url + "?beweging=regression&editie=2023")) == []
    assert codes(get(client, url + "?beweging=progress&editie=2023")) == ["15b", "15c"]
    assert codes(get(client, url + "?beweging=progress&editie=2024")) == ["15b"]


GARBAGE = [
    "thema=abc",
    "thema=999",
    "thema=",
    "thema=8&thema=9",
    "code=%00",
    "code=" + "9" * 40,
    "code=15b%27%20OR%201%3D1--",
    "zoek=%00",
    "zoek=" + "x" * 5000,
    "editie=2025",
    "editie=-1",
    "editie=99999999999999999999",
    "editie=2024.5",
    "gebied=XX",
    "gebied=",
    "blinde_vlek=misschien",
    "beweging=%3Cscript%3E",
    "pagina=abc",
    "pagina=-5",
    "pagina=999999",
    "pagina=99999999999999999999999",
    "onbekend=1&csrfmiddlewaretoken=x",
    "%FF%FE=%FF",
]


@pytest.mark.parametrize("query", GARBAGE)
def test_tracker_survives_garbage_parameters_without_revealing_drafts(client, query):
    co = f.concluding_observations()
    theme = f.theme()
    rec = f.recommendation("15b", co=co, theme=theme)
    f.publish(f.full_chapter(f.edition(year=2024, concluding_observations=co), theme, [rec]).edition)
    f.full_chapter(f.edition(year=2025, concluding_observations=co), theme, [rec], text="GEHEIM-CONCEPT")
    page = text(get(client, reverse("public:recommendations") + "?" + query))
    assert "GEHEIM-CONCEPT" not in page
    assert "/editie/2025" not in page and "2025:" not in page
    assert '<option value="2025"' not in page


# -- never a draft -------------------------------------------------------------------


@pytest.fixture
def draft_2025(demo_db):
    """The 2025 edition in preparation, its chapter on migration full of a marker, tied to 2024's recommendations."""
    marker = "ZEPPELIN-7731"
    co = Edition.objects.get(year=2024).concluding_observations
    edition = Edition.objects.filter(year=2025).first() or f.edition(year=2025, concluding_observations=co)
    assert not edition.is_published
    edition.title = f"Kinderrechten in Beweging {marker}"
    edition.introduction = f"<p>{marker}</p>"
    edition.save()
    theme = Chapter.objects.get(edition__year=2024, theme__number=8).theme
    recs = list(Recommendation.objects.filter(theme=theme)[:2])
    chapter = edition.chapters.filter(theme=theme).first()
    if chapter is None:
        chapter = f.full_chapter(edition, theme, recs, text=marker, state=Chapter.State.DRAFT)
    else:
        chapter.title = marker
        f.chapter_parts(chapter, recs, text=marker)
    # A new set of observations that only the draft edition follows.
    new_co = f.concluding_observations(symbol=f"CRC/C/NLD/CO/7-{marker}")
    f.recommendation("99z", co=new_co, theme=theme, text=f"<p>{marker}</p>")
    return {"marker": marker, "edition": edition, "chapter": chapter}


def crawl(client, start="/"):
    """Every page and download reachable from ``start`` by links, as an anonymous visitor."""
    import io
    import zipfile

    seen, queue, bodies = set(), [start], {}
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if url.startswith("/taal/"):  # the language link: it sets the cookie and leads back to a page of the site
            assert response.status_code == 302 and response["Location"].startswith("/"), url
            continue
        assert response.status_code == 200, f"{url}: {response.status_code}"
        if response.get("Content-Type", "").startswith("application/zip"):
            archive = zipfile.ZipFile(io.BytesIO(downloads.body(response)))
            body = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
        elif response.get("Content-Type", "").startswith("application/pdf"):
            continue
        else:
            body = downloads.body(response).decode("utf-8-sig")
        bodies[url] = body
        for href in re.findall(r'href="(/[^"#]*)', body):
            href = href.replace("&amp;", "&")
            if not href.startswith(("/static/", "/admin/", "/media/")):
                queue.append(href)
    return bodies


def test_a_crawl_from_home_finds_no_trace_of_a_draft(client, draft_2025):
    bodies = crawl(client)
    assert len(bodies) > 100  # home, editions, chapters, recommendations, indicators, downloads
    assert any("/editie/2024/migratie/" == url for url in bodies)
    leaks = [url for url, body in bodies.items() if draft_2025["marker"] in body]
    assert leaks == []
    assert not any(url.startswith("/editie/2025") for url in bodies)


def test_tracker_filters_never_count_a_draft_assessment(client, draft_2025):
    url = reverse("public:recommendations")
    # Only the draft chapter assesses "progress"; the published 2024 chapters carry no assessment.
    assert codes(get(client, url + "?beweging=progress")) == []
    assert "ZEPPELIN" not in text(get(client, url + "?editie=2025&beweging=progress&blinde_vlek=ja&gebied=SAB"))
    assert "99z" not in codes(get(client, url + "?zoek=ZEPPELIN-7731"))


def test_unpublished_edition_answers_404_whatever_the_url(client, draft_2025):
    chapter = draft_2025["chapter"]
    indicator = chapter.figures.get().chart.series.get().indicator
    new_rec = Recommendation.objects.get(code="99z")
    for url in [
        "/editie/2025/",
        chapter.get_absolute_url(),
        chapter.get_absolute_url() + "?preview=1",
        "/editie/2025/open-data.zip",
        "/editie/2025/cijfers.csv",
        "/editie/1999/",
        "/editie/2024/bestaat-niet/",
        indicator.get_absolute_url(),
        reverse("public:indicator_csv", args=[indicator.code]),
        new_rec.get_absolute_url(),
        "/aanbevelingen/999999/15b/",
    ]:
        get(client, url, status=404)


def test_a_chapter_of_an_edition_taken_back_into_preparation_disappears(client):
    edition = f.edition(year=2024, publication_date=datetime.date(2024, 10, 22))
    chapter = f.full_chapter(edition, f.theme())
    f.publish(edition)
    get(client, chapter.get_absolute_url())
    # No service takes an edition back: the state is set here on purpose, to see the public site follow it.
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.PREPARATION)
    get(client, chapter.get_absolute_url(), status=404)
    get(client, "/editie/2024/", status=404)


# == what a page costs: queries ================================================================


# Every page stays within the brief's 10 queries, except the chapter page: it prints every part of
# the chapter, each small part table in its own plain prefetch (themes.layout.load_printed_parts;
# one UNION ALL query of them saved six queries but was slower, bench/bench_parts_query.py).
LIMIT = 10
CHAPTER_LIMIT = 17  # 16 for a first edition; one more finds the previous edition "Wat is er veranderd" compares with


def add_editions(themes, years, letters):
    """Published editions for ``years``, each with a full chapter per theme tracking recommendations ``letters``."""
    co = f.concluding_observations()
    recs = {
        theme: [f.recommendation(f"{theme.number}{letter}", co=co, theme=theme) for letter in letters]
        for theme in themes
    }
    for year in years:
        edition = f.edition(year=year, concluding_observations=co)
        for theme in themes:
            f.full_chapter(edition, theme, recs[theme])
        f.publish(edition)
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
    take_snapshot(chapter.edition)  # as closing the correction that added them would: the new charts are frozen too
    assert measure(client, urls) == before
    for name, url in urls.items():
        with django_assert_max_num_queries(CHAPTER_LIMIT if name == "chapter" else LIMIT):
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
