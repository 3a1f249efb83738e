"""The indicator page stays bounded as editions and periods add up (issue 16 item 5).

Its chart draws the newest ``CHART_PERIODS`` periods and its summary table the newest
``SUMMARY_PERIODS``, so three times the history is the same page (the full table is on demand).

A figure carried into every new edition was a line per edition ("Kinderrechten in Beweging
2033, 8. Migratie: figuur 5 …"), so the page grew by a line a year. Now it is one line per
figure (and one for the key figure) with the editions as year links, newest first, from two
queries of plain rows whatever the number of editions. A draft edition's figure is never linked.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Chart, FigureSeries, HeadlineSeries, Observation
from indicators.views import CHART_PERIODS
from tests import factories as f
from themes.models import Chapter, Figure

pytestmark = pytest.mark.django_db


def edition_drawing(year, theme, indicator, publish=True):
    edition = f.edition(year=year)
    chapter = f.chapter(edition=edition, theme=theme, state=Chapter.State.APPROVED)
    figure = Figure.objects.create(chapter=chapter, number=2, title="Wachtenden", source_line="CBS")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure, kind=Chart.Kind.LINE), indicator=indicator)
    HeadlineSeries.objects.create(chapter=chapter, indicator=indicator)
    f.observation(indicator, str(year - 1), "100")
    if publish:
        f.publish(edition)
        Observation.objects.filter(indicator=indicator).update(public=True, published_value=100)
    return chapter


@pytest.fixture
def series():
    theme = f.theme(number=8, title="Migratie", slug="migratie")
    return theme, f.indicator(theme, code="wachtlijst")


def in_report(client, indicator):
    page = client.get(indicator.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="figures-title"')
    return html[start : html.index("</section>", start)]


def test_a_figure_carried_over_the_years_is_one_line_with_a_link_per_edition(client, series):
    theme, indicator = series
    chapters = [edition_drawing(year, theme, indicator) for year in (2024, 2025, 2026)]
    edition_drawing(2027, theme, indicator, publish=False)  # in preparation: never linked
    section = in_report(client, indicator)
    lines = re.findall(r"<li>(.*?)</li>", section, re.S)
    assert len(lines) == 2  # the key figure and the figure, not one line per edition
    headline, figure = lines
    assert "8. Migratie: kerncijfer" in headline
    assert "8. Migratie: figuur 2" in figure and "(Wachtenden)" in figure
    years = re.findall(r'<a href="([^"]+)" aria-label="8\. Migratie: figuur 2, (\d{4})">(\d{4})</a>', figure)
    assert years == [
        (f"/editie/{c.edition.year}/migratie/#figuur-{c.pk}-2", str(c.edition.year), str(c.edition.year))
        for c in reversed(chapters)
    ]
    assert re.findall(r'href="(/editie/\d{4}/migratie/)"', headline) == [f"/editie/{y}/migratie/" for y in (2026, 2025, 2024)]
    assert "2027" not in section


def test_the_list_costs_the_same_queries_and_a_few_bytes_per_edition(client, series):
    theme, indicator = series

    def measure():
        with CaptureQueriesContext(connection) as captured:
            section = in_report(client, indicator)
        return len(captured), len(section)

    for year in (2024, 2025):
        edition_drawing(year, theme, indicator)
    queries, size = measure()
    for year in range(2026, 2030):
        edition_drawing(year, theme, indicator)
    more_queries, more_size = measure()
    assert more_queries == queries
    assert (more_size - size) / 4 < 200  # two short year links per edition (was two lines of ~200 bytes each)


def test_three_times_the_periods_is_the_same_page(client, series):
    theme, indicator = series
    edition_drawing(2024, theme, indicator)

    def page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(indicator.get_absolute_url())
        html = response.content.decode()
        return len(captured), len(html), html  # "van 11 perioden", then "van 31": the same length

    def history(years):
        for year in years:
            f.observation(indicator, str(year), "100", public=True)

    history(range(2023 - CHART_PERIODS, 2023))
    queries, size, html = page()
    assert html.count("<circle") == CHART_PERIODS  # the line chart draws the newest ones
    history(range(2023 - 3 * CHART_PERIODS, 2023 - CHART_PERIODS))
    more_queries, more_size, more_html = page()
    assert "van 31 perioden" in more_html
    assert more_queries == queries
    assert more_size == size, "the page grew with the history"
    assert str(2023 - 2 * CHART_PERIODS) in client.get(indicator.get_absolute_url() + "?tabel=alles").content.decode()
