"""Frozen means frozen for the online charts (issue 14, gap 1).

The demo's 2024 edition is published through ``publish_edition``; 2025 is started from it and draws
the same indicators. An editor revises a 2024 number and adds next year's, the coordinator publishes
2025: that makes the revision public, yet the 2024 chapter page, its charts and their alt text stay
byte-identical, because a published edition's charts draw the cells taken at its publication
(``ChartSnapshot``). The edition in preparation keeps drawing the live numbers; a closed correction
of 2024 takes its snapshot again.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.chart_data import load_drawn_cells, take_missing_snapshots
from indicators.models import Chart, Observation
from kib.demo import cycle
from kib.demo.growth import Grower
from kib.models import Edition
from kib.publication.models import ChartSnapshot, SnapshotCell
from kib.publication.receivers import without_pdf
from kib.workflow import notifications, services
from themes.models import Figure

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
REASON = "Test: overgenomen teksten niet per stuk bekeken."


OTHER_EDITIONS = re.compile(rb'<section aria-labelledby="other-title">.*?</section>', re.S)


def without_other_editions(html):
    """The page without the links to this theme's other editions (and the blank lines around them)."""
    return re.sub(rb"\n\s*\n", b"\n", OTHER_EDITIONS.sub(b"", html))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return CSRF.sub(b"", response.content)


def drawn_values(figure, public_only=True):
    """{(series id, period): value} that the chart of ``figure`` draws."""
    figure = Figure.objects.select_related("chart").prefetch_related("chart__series__indicator").get(pk=figure.pk)
    load_drawn_cells([figure], public_only=public_only)
    return {(link.pk, o.period): o.value for link in figure.chart.series.all() for o in link.drawn_cells}


def a_drawn_2024_cell():
    """A public observation drawn in the newest period of a pinned 2024 chart, and that chart."""
    for chart in Chart.objects.filter(figure__chapter__edition__year=2024, periods_pinned=True).order_by("pk"):
        newest = chart.period_list()[-1]
        for link in chart.series.select_related("indicator"):
            candidates = [o for o in link.observations().filter(public=True, period=newest).order_by("pk")]
            if candidates:
                return chart, link, candidates[0]
    raise AssertionError("the demo has no pinned 2024 chart with data")


def next_years(figure, edition):
    """The figure carried from ``figure`` into ``edition``."""
    return Figure.objects.get(chapter__edition=edition, chapter__theme=figure.chapter.theme, number=figure.number)


@pytest.fixture
def published_2024_and_2025_in_preparation(demo_db):
    with without_pdf(), notifications.muted():
        next_edition = cycle.run_cycle()
    assert next_edition.year == 2025
    return Edition.objects.get(year=2024), next_edition


def publish(edition):
    coordinator = get_user_model().objects.get(username="coordinator")
    with without_pdf(), notifications.muted():
        Grower().edit_and_approve(edition)
        services.publish_edition(edition, by=coordinator, reason=REASON)


def test_publishing_2025_changes_nothing_on_the_2024_chapter_page(client, published_2024_and_2025_in_preparation):
    edition, next_edition = published_2024_and_2025_in_preparation
    chart, link, observation = a_drawn_2024_cell()
    url = reverse("public:chapter", args=[2024, chart.figure.chapter.theme.slug])
    before = page(client, url)
    published = observation.published_value
    observation.value = published + Decimal("123.456")  # the editor revises a 2024 number for 2025
    observation.save()
    Observation.objects.create(
        indicator=link.indicator, period="2031", territory=observation.territory, value="77", public=False
    )
    publish(next_edition)

    observation.refresh_from_db()
    assert observation.published_value == published + Decimal("123.456")  # 2025 made the revision public
    next_figure = next_years(chart.figure, next_edition)
    assert observation.value in drawn_values(next_figure).values()  # 2025's chart draws it
    after = page(client, url)
    # The one change: the list of this theme's other editions now links 2025 too (navigation, not the report).
    other = b'<li><a href="/editie/2025/' + chart.figure.chapter.theme.slug.encode() + b'/">'
    assert other in after and other not in before
    assert without_other_editions(after) == without_other_editions(before)  # text, charts and alt text, byte for byte
    assert drawn_values(chart.figure)[(link.pk, observation.period)] == published  # 2024's keeps its number


def test_the_edition_in_preparation_draws_the_live_numbers(published_2024_and_2025_in_preparation):
    _edition, next_edition = published_2024_and_2025_in_preparation
    chart, link, observation = a_drawn_2024_cell()
    next_figure = next_years(chart.figure, next_edition)
    observation.value = observation.published_value + 1
    observation.save()
    assert not ChartSnapshot.objects.filter(chart__figure__chapter__edition=next_edition).exists()
    assert observation.value in drawn_values(next_figure, public_only=False).values()
    assert not ChartSnapshot.objects.filter(chart__figure__chapter__edition=next_edition).exists()


def test_publication_takes_the_snapshot_of_every_chart_of_the_edition(published_2024_and_2025_in_preparation):
    edition, next_edition = published_2024_and_2025_in_preparation
    charts = Chart.objects.filter(figure__chapter__edition=edition)
    assert ChartSnapshot.objects.filter(chart__in=charts).count() == charts.count() > 0  # load_demo publishes
    publish(next_edition)
    next_charts = Chart.objects.filter(figure__chapter__edition=next_edition)
    assert ChartSnapshot.objects.filter(chart__in=next_charts).count() == next_charts.count() > 0
    assert SnapshotCell.objects.filter(snapshot__chart__in=next_charts).exists()


def test_a_closed_correction_takes_the_snapshot_again(client, published_2024_and_2025_in_preparation):
    edition, next_edition = published_2024_and_2025_in_preparation
    chart, link, observation = a_drawn_2024_cell()
    revised = observation.published_value + Decimal("5")
    observation.value = revised
    observation.save()
    publish(next_edition)
    assert drawn_values(chart.figure)[(link.pk, observation.period)] != revised
    coordinator = get_user_model().objects.get(username="coordinator")
    with without_pdf(), notifications.muted():
        services.open_correction(edition, by=coordinator, reason="Cijfer herzien")
        services.close_correction(edition, by=coordinator)
    assert drawn_values(chart.figure)[(link.pk, observation.period)] == revised


def test_an_edition_published_before_snapshots_draws_live_until_the_migration_takes_its_snapshot(
    client, published_2024_and_2025_in_preparation
):
    edition, _next_edition = published_2024_and_2025_in_preparation
    chart, link, observation = a_drawn_2024_cell()
    url = reverse("public:chapter", args=[2024, chart.figure.chapter.theme.slug])
    before = page(client, url)
    cells = SnapshotCell.objects.filter(snapshot__chart__figure__chapter__edition=edition).count()
    ChartSnapshot.objects.filter(chart__figure__chapter__edition=edition).delete()
    assert page(client, url) == before  # the live published numbers: the same until a later publication
    assert not ChartSnapshot.objects.filter(chart__figure__chapter__edition=edition).exists()  # a read writes nothing

    assert take_missing_snapshots() == Chart.objects.filter(figure__chapter__edition=edition).count()
    assert SnapshotCell.objects.filter(snapshot__chart__figure__chapter__edition=edition).count() == cells
    assert page(client, url) == before
    Observation.objects.filter(pk=observation.pk).update(published_value=observation.published_value + 9)
    assert drawn_values(chart.figure)[(link.pk, observation.period)] == observation.published_value
    assert take_missing_snapshots() == 0  # safe to run again
