"""The recommendation tracker in Dutch, as a journalist uses it (anonymous visitor).

Dutch values in the URL, the English ones of earlier links as aliases, an unknown value named on
the page with an empty list (never a silent "all"), filters that combine, and per recommendation
its latest assessment and one assessment per edition, in words.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.views import TRACKER_EDITIONS
from tests import factories as f
from themes.models import ChapterRecommendation, Theme

pytestmark = pytest.mark.django_db
URL = reverse("public:recommendations")


def codes(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return re.findall(r'href="/aanbevelingen/\d+/([^/"]+)/"', response.content.decode())


@pytest.fixture
def two_editions():
    """2023 and 2024 published, both discussing 15b and 15c; in 2024 15b progressed and 15c went back.

    Theme "migratie" holds 15b and 15c, theme "onderwijs" holds 20a (discussed only in 2024).
    """
    co = f.concluding_observations()
    migration = f.theme(number=8, slug="migratie", title="Migratie", nav_label="Migratie")
    school = f.theme(number=5, slug="onderwijs", title="Onderwijs", nav_label="Onderwijs")
    rec_b, rec_c = f.recommendation("15b", co=co, theme=migration), f.recommendation("15c", co=co, theme=migration)
    rec_school = f.recommendation("20a", co=co, theme=school)
    e2023 = f.edition(year=2023, concluding_observations=co)
    e2024 = f.edition(year=2024, concluding_observations=co)
    f.full_chapter(e2023, migration, [rec_b, rec_c])
    f.full_chapter(e2024, migration, [rec_b, rec_c])
    f.full_chapter(e2024, school, [rec_school])
    links = ChapterRecommendation.objects
    links.filter(chapter__edition=e2023).update(movement="", movement_reasoning="")
    links.filter(chapter__edition=e2024, recommendation=rec_c).update(movement="regression")
    links.filter(chapter__edition=e2024, recommendation=rec_school).update(movement="unclear")
    return {"e2023": f.publish(e2023), "e2024": f.publish(e2024)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?beweging=vooruitgang", ["15b"]),
        ("?beweging=achteruitgang", ["15c"]),
        ("?beweging=onduidelijk", ["20a"]),
        ("?beweging=geen-verandering", []),
        ("?thema=migratie", ["15b", "15c"]),
        ("?thema=onderwijs", ["20a"]),
        ("?gebied=bonaire", ["15b", "15c", "20a"]),
        ("?gebied=caribisch-nederland", ["15b", "15c", "20a"]),
        ("?gebied=sint-eustatius", []),
        ("?blinde_vlek=ja", ["15b", "20a"]),
    ],
)
def test_tracker_understands_dutch_values(client, two_editions, query, expected):
    assert codes(client, query) == expected


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("?beweging=progress", "?beweging=vooruitgang"),
        ("?beweging=regression", "?beweging=achteruitgang"),
        ("?beweging=Unclear", "?beweging=onduidelijk"),
        ("?thema=8", "?thema=migratie"),
        ("?gebied=BON", "?gebied=bonaire"),
        ("?gebied=cn", "?gebied=caribisch-nederland"),
        ("?blinde_vlek=yes", "?blinde_vlek=ja"),
    ],
)
def test_tracker_accepts_english_and_coded_values_as_aliases(client, two_editions, english, dutch):
    assert codes(client, english) == codes(client, dutch)


def test_tracker_filters_combine(client, two_editions):
    assert codes(client, "?thema=migratie&beweging=vooruitgang") == ["15b"]
    assert codes(client, "?thema=onderwijs&beweging=vooruitgang") == []
    assert codes(client, "?editie=2023&beweging=vooruitgang") == []
    assert codes(client, "?editie=2024&gebied=bonaire&beweging=achteruitgang") == ["15c"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?beweging=vooruit", "Beoordeling van de beweging"),
        ("?gebied=curacao", "Gebied"),
        ("?thema=sport", "Thema"),
        ("?editie=1999", "Editie"),
        ("?blinde_vlek=misschien", "Blinde vlekken"),
        ("?thema=migratie&beweging=beter", "Beoordeling van de beweging"),
    ],
)
def test_unknown_value_is_named_and_shows_nothing_rather_than_everything(client, two_editions, query, field):
    response = client.get(URL + query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "onbekende waarde" in page
    assert f"<li>{field}: onbekende waarde" in page
    assert codes(client, query) == []


def test_unknown_value_message_lists_the_dutch_choices(client, two_editions):
    page = client.get(URL + "?beweging=beter").content.decode()
    assert "onbekende waarde ‘beter’; kies uit: vooruitgang, geen-verandering, achteruitgang, onduidelijk" in page


def test_unknown_value_is_escaped(client, two_editions):
    page = client.get(URL + "?beweging=%3Cb%3Ex").content.decode()
    assert "<b>x" not in page and "&lt;b&gt;x" in page


def test_filter_form_offers_dutch_values(client, two_editions):
    page = client.get(URL).content.decode()
    assert '<option value="vooruitgang">' in page
    assert '<option value="bonaire">' in page
    assert '<option value="migratie">' in page


def words(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def results(client, query):
    """Per recommendation on the page, its entry as plain text."""
    page = client.get(URL + query).content.decode()
    return [words(entry) for entry in page.split('<ul class="recommendation-results">')[1].split("<h3>")[1:]]


def test_each_result_shows_its_latest_assessment_and_one_per_edition_in_words(client, two_editions):
    rec_b, rec_c = results(client, "?thema=migratie")
    assert "Laatste beoordeling: ▲ vooruitgang (2024)" in rec_b
    assert "2023 besproken, niet beoordeeld 2024 ▲ vooruitgang" in rec_b
    assert "Laatste beoordeling: ▼ achteruitgang (2024)" in rec_c
    assert "2023 besproken, niet beoordeeld 2024 ▼ achteruitgang" in rec_c


def test_a_recommendation_not_discussed_in_an_edition_says_so(client, two_editions):
    (rec,) = results(client, "?thema=onderwijs")
    assert "2023 niet besproken 2024 ? onduidelijk" in rec


def test_the_row_speaks_the_visitors_language_after_the_other_one_was_shown(client, two_editions):
    """The markers are rendered once per language and kept: English after Dutch is English, and back."""
    from django.conf import settings

    assert "2023 besproken, niet beoordeeld 2024 ▲ vooruitgang" in results(client, "?thema=migratie")[0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rec_b, rec_c = results(client, "?thema=migratie")
    assert "2023 discussed, not assessed 2024 ▲ progress" in rec_b and "▲ progress (2024)" in rec_b
    (rec,) = results(client, "?thema=onderwijs")
    assert "2023 not discussed 2024" in rec
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    assert "2023 besproken, niet beoordeeld 2024 ▼ achteruitgang" in results(client, "?thema=migratie")[1]


def test_tracker_with_a_draft_assessment_shows_only_published_ones(client, two_editions):
    co = two_editions["e2024"].concluding_observations
    draft = f.edition(year=2025, concluding_observations=co)
    chapter = f.full_chapter(draft, f.theme(number=9), list(co.recommendations.filter(code="15c")))
    ChapterRecommendation.objects.filter(chapter=chapter).update(movement="progress")
    assert codes(client, "?beweging=vooruitgang") == ["15b"]
    page = client.get(URL).content.decode()
    assert "2025" not in page


def test_the_row_shows_the_newest_editions_and_the_latest_assessment_may_be_older(
    client, two_editions, django_assert_num_queries
):
    """Ten years on: the row stays TRACKER_EDITIONS long and the page costs the same queries."""
    results(client, "?thema=migratie")
    with CaptureQueriesContext(connection) as two_years:
        results(client, "?thema=migratie")
    co = two_editions["e2024"].concluding_observations
    migration = Theme.objects.get(slug="migratie")
    discussed = list(co.recommendations.filter(code__in=["15b", "15c"]))
    for year in range(2025, 2030):  # five more editions that discuss 15b and 15c without assessing them
        edition = f.edition(year=year, concluding_observations=co)
        f.full_chapter(edition, migration, discussed)
        ChapterRecommendation.objects.filter(chapter__edition=edition).update(movement="", movement_reasoning="")
        f.publish(edition)
    with django_assert_num_queries(len(two_years)):
        rec_b, rec_c = results(client, "?thema=migratie")
    years = [int(year) for year in re.findall(r"\b(20\d\d) (?:besproken|niet besproken)", rec_c)]
    assert years == list(range(2030 - TRACKER_EDITIONS, 2030))
    assert "Laatste beoordeling: ▼ achteruitgang (2024)" in rec_c  # older than every edition in the row
    assert "Laatste beoordeling: ▲ vooruitgang (2024)" in rec_b
