"""The public indicator page stays the same size however many breakdowns an indicator collects (issue 16).

An indicator published with seven series by breakdown (no national total, as the demo's
"nareisaanvragen") later gets figures by area, sex and age group every year. Its page keeps drawing
the seven series; the summary table shows the same cells; the full table (``?tabel=alles``) has
every figure. Queries and page size stay the same with ten times the breakdown cells.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import chart_data
from indicators.models import SPLIT, Chart, FigureSeries, Observation
from kib.models import Edition
from tests import factories as f
from themes.models import Chapter, Figure

pytestmark = pytest.mark.django_db

KINDS = ["ingediend", "afgehandeld", "afgewezen", "ingetrokken", "lopend", "toegekend", "nareis"]
AREAS = ["CN", "BON", "STA", "SAB"]


def published_indicator():
    edition = f.edition(year=2024, state=Edition.State.PUBLISHED)
    theme = f.theme(8, title="Migratie")
    chapter = f.chapter(edition=edition, theme=theme, state=Chapter.State.APPROVED)
    figure = Figure.objects.create(chapter=chapter, number=1, title="Aanvragen", source_line="IND")
    indicator = f.indicator(theme, code="aanvragen")
    chart = Chart.objects.create(figure=figure, kind=Chart.Kind.LINE)
    FigureSeries.objects.create(chart=chart, indicator=indicator, breakdown=SPLIT)
    return indicator


def add(indicator, years, breakdown_cells):
    rows = []
    for year in years:
        rows += [
            Observation(indicator=indicator, period=str(year), breakdown=kind, value=10 + n)
            for n, kind in enumerate(KINDS)
        ]
        for n in range(breakdown_cells):
            rows.append(
                Observation(
                    indicator=indicator,
                    period=str(year),
                    territory=AREAS[n % 4],
                    age_group=f"{n}-{n + 1} jaar",
                    value=n,
                )
            )
    Observation.objects.bulk_create(rows, ignore_conflicts=True)
    Observation.objects.update(public=True, published_value=5)


def fetch(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_many_breakdowns_fold_into_the_main_series_and_the_full_table_has_them(client):
    indicator = published_indicator()
    add(indicator, range(2015, 2025), breakdown_cells=2)
    url = indicator.get_absolute_url()
    client.get(url)
    queries, page = fetch(client, url)
    rows = page.count('<th scope="row">')
    assert rows == 3 * len(KINDS)  # the newest three periods of the seven series
    assert "De tabel toont de totalen." in page and "uitsplitsingen" in page
    assert "0-1 jaar" not in page  # the age groups wait for the full table
    full = fetch(client, url + "?tabel=alles")[1]
    assert full.count('<th scope="row">') == 10 * (len(KINDS) + 2) and "0-1 jaar" in full

    add(indicator, range(2015, 2025), breakdown_cells=20)  # ten times the breakdown cells
    more_queries, more = fetch(client, url)
    assert more_queries == queries
    assert more.count('<th scope="row">') == rows
    assert abs(len(more) - len(page)) < 200  # the same page, give or take a number's width
    assert "0-1 jaar" not in more


def test_the_chart_of_many_breakdowns_draws_the_series_without_sex_and_age_group():
    indicator = published_indicator()
    add(indicator, range(2019, 2025), breakdown_cells=12)
    data = chart_data.indicator_data(indicator)
    assert sorted(s.label for s in data.series) == sorted(KINDS)
    assert data.note == chart_data.TOTALS_NOTE


def test_few_breakdowns_are_all_drawn_and_shown(client):
    indicator = published_indicator()
    add(indicator, range(2022, 2025), breakdown_cells=1)  # 8 cells: every one drawn
    assert chart_data.folded_breakdowns({("NL", "", "", kind) for kind in KINDS} | {("CN", "", "0-1 jaar", "")}) == ()
    page = fetch(client, indicator.get_absolute_url())[1]
    assert "De tabel toont de totalen." not in page
    assert page.count('<th scope="row">') == 3 * (len(KINDS) + 1)
