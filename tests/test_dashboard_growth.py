"""Ten years on, the edition dashboard costs the same: the same queries and the same page with twice the editions
and ten times the observations; the database, not Python, finds the figures that cannot be drawn yet."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import services
from indicators.models import SPLIT, Chart, FigureSeries, Observation
from kib.models import Edition
from kib.workflow import dashboard
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db

AREAS = ["NL", "CN", "BON", "STA", "SAB"]


def add_cells(indicator, years, breakdowns=0):
    """The NL total for each of ``years``, and ``breakdowns`` cells per year by area and age group."""
    cells = []
    for year in years:
        cells.append(Observation(indicator=indicator, period=str(year), value=year % 100))
        cells += [
            Observation(
                indicator=indicator, period=str(year), territory=AREAS[n % 5], age_group=f"{n}-{n + 1} jaar", value=n
            )
            for n in range(breakdowns)
        ]
    Observation.objects.bulk_create(cells, ignore_conflicts=True)


def chart(figure, indicator, periods="", window=None, **series):
    made = Chart.objects.create(figure=figure, periods=periods, window=window)
    FigureSeries.objects.create(chart=made, indicator=indicator, **series)
    return made


def published_years(cast, indicator, years, breakdowns):
    """A published edition per year, its chapter of chapter_a's theme drawing ``indicator``; the figures grow."""
    for year in years:
        edition = f.edition(year=year)
        chapter = f.chapter(edition=edition, theme=cast.chapter_a.theme, lead_organisation=cast.unicef)
        figure = Figure.objects.create(chapter=chapter, number=1, title="Armoede", source_line="CBS")
        chart(figure, indicator, window=5)
        add_cells(indicator, range(1994, year), breakdowns)
        f.publish(edition)


def shown(response):
    """What the dashboard shows of its edition: the table and the readiness list (not the links to every edition)."""
    html = response.content.decode()
    table = re.search(r'<table class="dashboard-table".*?</table>', html, re.S).group(0)
    readiness = re.search(r'<section class="workflow-panel" id="readiness">.*?</section>', html, re.S)
    rows = [(c.pk, c.status, c.open_comments, list(c.missing)) for c in response.context["chapters"]]
    return table, readiness.group(0) if readiness else None, rows


def visit(client, user, year):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:workflow_dashboard", args=[year])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), shown(response)


def test_the_dashboard_costs_the_same_queries_and_shows_the_same_with_twice_the_editions_and_ten_times_the_data(
    client,
):
    cast = f.workflow_cast(year=2030)
    indicator = f.indicator(cast.chapter_a.theme)
    published_years(cast, indicator, [2026, 2027], breakdowns=1)
    # The edition in preparation: a chart with a window (drawn), one naming periods without data, a figure
    # without a chart, and in chapter_b a chart of an area with no numbers and a figure without a source.
    chart(
        Figure.objects.create(chapter=cast.chapter_a, number=1, title="Venster", source_line="CBS"), indicator, window=3
    )
    named = Figure.objects.create(chapter=cast.chapter_a, number=2, title="Genoemd", source_line="CBS")
    chart(named, indicator, periods="1980, 1981")
    Figure.objects.create(chapter=cast.chapter_a, number=3, title="Zonder grafiek", source_line="CBS")
    chart(
        Figure.objects.create(chapter=cast.chapter_b, number=1, title="Bonaire", source_line=""),
        indicator,
        territory="BON",
    )
    f.observation(indicator, period="1981", territory="STA")  # a named period, but not in the series' area
    services_missing = [figure.pk for figure in services.figures_without_data(cast.edition)]

    people = [cast.coordinator, cast.editor_a]
    before = [visit(client, person, 2030) for person in people]
    cells = Observation.objects.count()
    published_years(cast, indicator, [2028, 2029], breakdowns=20)  # twice the editions, ten times the numbers
    assert Observation.objects.count() > 10 * cells and Edition.objects.published().count() == 4
    after = [visit(client, person, 2030) for person in people]

    assert [count for count, _shown in after] == [count for count, _shown in before]
    assert [shown for _count, shown in after] == [shown for _count, shown in before]
    # 15 before the figures without data were asked per figure (EXISTS); 13 here, one of them because a
    # chart names its periods (``dashboard.figure_gaps``).
    assert max(count for count, _shown in before) <= 13
    _table, readiness, rows = before[0][1]
    missing = dict((pk, gaps) for pk, _status, _comments, gaps in rows)
    assert "cijfers nog in te voeren voor figuur 2, 3" in missing[cast.chapter_a.pk]
    assert "cijfers nog in te voeren voor figuur 1" in missing[cast.chapter_b.pk]
    assert "figuren zonder bron: 1" in missing[cast.chapter_b.pk]
    assert "Figuur 2 in hoofdstuk" in readiness and "Figuur 1 in hoofdstuk" in readiness
    assert services_missing == [figure.pk for figure in services.figures_without_data(cast.edition)]
    assert sorted(services_missing) == sorted(
        Figure.objects.filter(chapter__edition=cast.edition).exclude(title="Venster").values_list("pk", flat=True)
    )


def test_figures_without_data_are_those_the_charts_cannot_draw():
    theme_a, theme_b = f.theme(), f.theme()
    edition = f.edition(year=2030)
    first, second = f.chapter(edition=edition, theme=theme_a), f.chapter(edition=edition, theme=theme_b)
    indicator = f.indicator(theme_a)
    add_cells(indicator, range(2015, 2025), breakdowns=3)
    f.observation(indicator, period="2024", sex="meisjes", value="4")
    cases = {  # title: (how it is drawn, whether it can be)
        "zonder grafiek": (None, False),
        "grafiek zonder reeks": ({"series": False}, False),
        "alle perioden": ({}, True),
        "venster": ({"window": 2}, True),
        "genoemd, met cijfers": ({"periods": "2019, 2023"}, True),
        "genoemd zonder spaties": ({"periods": "1990,2020"}, True),
        "genoemd, zonder cijfers": ({"periods": "1990, 1991"}, False),
        "alleen komma's": ({"periods": " , "}, True),
        "schooljaar genoemd": ({"periods": "2019-2020"}, False),
        "elk gebied apart": ({"territory": SPLIT, "age_group": "0-1 jaar"}, True),
        "ander gebied": ({"territory": "BON"}, False),
        "meisjes": ({"sex": "meisjes"}, True),
        "meisjes, ander jaar": ({"sex": "meisjes", "periods": "2023"}, False),
        "jongens": ({"sex": "jongens"}, False),
    }
    for number, (title, (how, _drawn)) in enumerate(cases.items(), start=1):
        chapter = first if number % 2 else second
        figure = Figure.objects.create(
            chapter=chapter, number=number, title=title, source_line="" if number == 3 else "x"
        )
        if how is None:
            continue
        how = dict(how)
        made = Chart.objects.create(figure=figure, periods=how.pop("periods", ""), window=how.pop("window", None))
        if how.pop("series", True):
            FigureSeries.objects.create(chart=made, indicator=indicator, **how)
    Figure.objects.filter(title="zonder grafiek").update(printed_without_chart=True, no_chart_note="Geen cijfers")

    with CaptureQueriesContext(connection) as queries:
        without_source, without_data = dashboard.figure_gaps(edition)
    assert len(queries) == 2  # the figures, and which of the periods that charts name have data
    found = [gap.pk for gaps in without_data.values() for gap in gaps]
    assert found == [figure.pk for figure in services.figures_without_data(edition)]
    titles = dict(Figure.objects.values_list("pk", "title"))
    assert sorted(titles[pk] for pk in found) == sorted(title for title, (_how, drawn) in cases.items() if not drawn)
    assert without_source == {first.pk: [3]}
    assert {gap.printed_without_chart for gap in without_data[first.pk] if titles[gap.pk] == "zonder grafiek"} == {True}
    assert list(without_data) == [first.pk, second.pk]  # in print order: the chapters by theme, then the numbers
    Chart.objects.filter(periods__gt="").update(periods="")
    with CaptureQueriesContext(connection) as queries:
        dashboard.figure_gaps(edition, chapters=[first.pk, second.pk])
    assert len(queries) == 1  # no chart names its periods: only the figures


def test_a_chapter_in_the_dashboard_lists_its_figures_without_data_in_order(client):
    cast = f.workflow_cast()
    indicator = f.indicator(cast.chapter_a.theme)
    add_cells(indicator, [2023])
    for number in (3, 1, 2):
        figure = Figure.objects.create(chapter=cast.chapter_a, number=number, title=f"Figuur {number}", source_line="x")
        chart(figure, indicator, periods="2023" if number == 2 else "2020")
    _count, (_table, _readiness, rows) = visit(client, cast.coordinator, 2025)
    (gaps,) = [gaps for pk, _status, _comments, gaps in rows if pk == cast.chapter_a.pk]
    assert "cijfers nog in te voeren voor figuur 1, 3" in gaps
