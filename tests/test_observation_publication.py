"""Figures reach the public with the report that shows them, not when an editor imports them."""

import pytest
from django.urls import reverse

from indicators.models import Chart, FigureSeries, HeadlineSeries, Observation
from kib.models import Edition
from kib.workflow import services
from tests import downloads
from tests import factories as f
from themes.models import Figure, KeyFigureParagraph

pytestmark = pytest.mark.django_db


def approve(chapter, editor, coordinator):
    services.submit_chapter(chapter, by=editor)
    chapter.refresh_from_db()
    services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)


def draw(chapter, indicator, number=1):
    figure = Figure.objects.create(chapter=chapter, number=number, title=f"Figuur {number}", source_line="CBS")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=indicator)


@pytest.fixture
def setup():
    cast = f.workflow_cast()
    waiting = f.indicator(cast.chapter_a.theme, code="wachtlijst", name="Wachtlijst pleegzorg")
    f.observation(waiting, "2023", "838")
    f.observation(waiting, "2024", "790")
    draw(cast.chapter_a, waiting)
    other = f.indicator(cast.chapter_b.theme, code="niet-getekend")  # no figure draws it
    f.observation(other, "2024", "5")
    return cast, waiting, other


def publish(cast):
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    approve(cast.chapter_b, cast.editor_b, cast.coordinator)
    services.publish_edition(cast.edition, by=cast.coordinator)


def test_imported_figures_are_not_public_before_the_edition_is_published(client, setup):
    cast, waiting, _other = setup
    assert not Observation.objects.public().exists()
    assert client.get(reverse("public:indicator", args=[waiting.code])).status_code == 404


def test_publishing_makes_public_what_the_edition_draws_and_nothing_else(client, setup):
    cast, waiting, other = setup
    publish(cast)
    assert set(Observation.objects.public().values_list("indicator__code", "period")) == {
        ("wachtlijst", "2023"),
        ("wachtlijst", "2024"),
    }
    page = client.get(reverse("public:indicator", args=[waiting.code])).content.decode()
    assert "838" in page and "790" in page


def test_a_figure_imported_for_next_year_stays_off_the_public_site_until_that_edition(client, setup):
    cast, waiting, _other = setup
    publish(cast)
    f.observation(waiting, "2025", "4321")  # typed in for the 2026 edition
    page = client.get(reverse("public:indicator", args=[waiting.code])).content.decode()
    assert "4.321" not in page and "4321" not in page
    csv = downloads.body(client.get(reverse("public:indicator_csv", args=[waiting.code]))).decode()
    assert "790" in csv and "4321" not in csv and "2025" not in csv

    nxt = services.start_next_edition(cast.edition, by=cast.coordinator)
    assert not Observation.objects.get(period="2025").public
    chapters = {c.theme_id: c for c in nxt.chapters.all()}
    approve(chapters[cast.chapter_a.theme_id], cast.editor_a, cast.coordinator)
    approve(chapters[cast.chapter_b.theme_id], cast.editor_b, cast.coordinator)
    services.publish_edition(nxt, by=cast.coordinator, reason="De overgenomen teksten doen er in deze test niet toe.")
    assert Observation.objects.get(period="2025").public
    assert "4.321" in client.get(reverse("public:indicator", args=[waiting.code])).content.decode()


def test_a_closed_correction_publishes_figures_added_in_it(setup):
    cast, waiting, other = setup
    publish(cast)
    services.open_correction(cast.edition, by=cast.coordinator, reason="Kerncijfer ontbrak")
    HeadlineSeries.objects.create(chapter=cast.chapter_b, indicator=other, period_from="2024")
    assert not Observation.objects.get(indicator=other).public
    services.close_correction(cast.edition, by=cast.coordinator)
    assert Observation.objects.get(indicator=other).public
    assert Edition.objects.get(pk=cast.edition.pk).state == Edition.State.PUBLISHED


def test_nobody_makes_a_figure_public_by_hand_in_the_admin(client, setup):
    cast, waiting, _other = setup
    obs = Observation.objects.get(indicator=waiting, period="2024")
    client.force_login(cast.editor_a)
    url = reverse("admin:indicators_observation_change", args=[obs.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="public"' not in page.content.decode()
    data = {
        "indicator": waiting.pk,
        "period": "2024",
        "territory": "NL",
        "sex": "",
        "age_group": "",
        "breakdown": "",
        "value": "790",
        "flag": "",
        "note": "",
        "public": "on",
    }
    client.post(url, {**data, "chapter_version": cast.chapter_a.version})
    assert not Observation.objects.get(pk=obs.pk).public


def test_the_online_chapter_draws_published_numbers_only(client, setup):
    cast, waiting, _other = setup
    figure = Figure.objects.get(chapter=cast.chapter_a)
    FigureSeries.objects.filter(chart__figure=figure).update(territory="*")  # one series per territory
    KeyFigureParagraph.objects.create(
        chapter=cast.chapter_a, title="Pleegzorg", body="<p>Wachtlijst</p>", figure=figure
    )
    publish(cast)
    Observation.objects.create(indicator=waiting, period="2024", territory="BON", value=77777)  # not public
    page = client.get(cast.chapter_a.get_absolute_url()).content.decode()
    assert "838" in page and "77.777" not in page and "77777" not in page


def test_an_edit_of_a_published_number_waits_for_the_next_publication(client, setup):
    cast, waiting, _other = setup
    figure = Figure.objects.get(chapter=cast.chapter_a)
    KeyFigureParagraph.objects.create(
        chapter=cast.chapter_a, title="Pleegzorg", body="<p>Wachtlijst</p>", figure=figure
    )
    publish(cast)
    Observation.objects.filter(indicator=waiting, period="2024").update(value=7654, flag="estimate", note="herzien")

    indicator_page = client.get(reverse("public:indicator", args=[waiting.code])).content.decode()
    chapter_page = client.get(cast.chapter_a.get_absolute_url()).content.decode()
    csv = downloads.body(client.get(reverse("public:indicator_csv", args=[waiting.code]))).decode()
    for text in (indicator_page, chapter_page, csv):
        assert "790" in text and "7654" not in text and "7.654" not in text and "herzien" not in text

    services.open_correction(cast.edition, by=cast.coordinator, reason="CBS heeft het cijfer herzien")
    services.close_correction(cast.edition, by=cast.coordinator)
    assert "7.654" in client.get(reverse("public:indicator", args=[waiting.code])).content.decode()
