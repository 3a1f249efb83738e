"""Ten years on: the cost of publishing, drawing and exporting stays flat as editions and numbers add up.

The grown shape is built small with factories: a data set, then twice the editions and ten
times the observations; query counts must not change, and the database (not Python) does the
work — publishing marks rows with one UPDATE, charts fetch only the cells they draw.
"""

from contextlib import ExitStack, contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import chart_data, charts, exporters, services
from indicators.importing import IMPORT_FORMATS
from indicators.models import Chart, FigureSeries, Indicator, Observation
from indicators.resources import ObservationResource
from kib import freeze
from kib.models import Edition
from tests import factories as f
from themes.layout import prefetch_chapters
from themes.models import Chapter, Figure

pytestmark = pytest.mark.django_db

TERRITORIES = ["NL", "CN", "BON", "STA", "SAB"]


def drawn_chapter(edition, theme, years, breakdowns=1, window=None, code=None):
    """A chapter of ``edition`` whose one figure draws the NL total of an indicator with figures for ``years``.

    Each year also has ``breakdowns`` cells by area and age group that no chart draws.
    """
    chapter = f.chapter(edition=edition, theme=theme, state=Chapter.State.APPROVED)
    figure = Figure.objects.create(chapter=chapter, number=1, title=f"Figuur {theme.number}", source_line="CBS")
    indicator = Indicator.objects.filter(code=code).first() if code else None
    if indicator is None:
        indicator = f.indicator(theme, code=code)
    chart = Chart.objects.create(figure=figure, kind=Chart.Kind.LINE, window=window)
    FigureSeries.objects.create(chart=chart, indicator=indicator)
    add_years(indicator, years, breakdowns)
    return chapter, indicator


def add_years(indicator, years, breakdowns=1):
    cells = []
    for year in years:
        if not Observation.objects.filter(indicator=indicator, period=str(year), territory="NL", age_group="").exists():
            cells.append(Observation(indicator=indicator, period=str(year), value=100 + year % 100))
        for n in range(breakdowns):
            cells.append(
                Observation(
                    indicator=indicator,
                    period=str(year),
                    territory=TERRITORIES[n % 5],
                    age_group=f"{n}-{n + 1} jaar",
                    value=n,
                )
            )
    Observation.objects.bulk_create(cells, ignore_conflicts=True)


def grown(themes, first_year, editions, breakdowns):
    """Published editions ``first_year``… with a drawn chapter per theme, each year a period of figures more."""
    made = []
    for year in range(first_year, first_year + editions):
        edition = f.edition(year=year)
        for theme in themes:
            drawn_chapter(edition, theme, range(1994, year), breakdowns, code=f"reeks-{theme.number}")
        made.append(f.publish(edition))
    return made


@contextmanager
def rewound():
    """Set-up that puts published rows back as they were before their publication.

    The rows a published edition draws are frozen (``kib.freeze``); as in a publication's own
    steps, the freeze lets these writes through.
    """
    with ExitStack() as stack:
        for edition in Edition.objects.all():
            stack.enter_context(freeze.publishing(edition))
        yield


def queries(fn, *args):
    with CaptureQueriesContext(connection) as captured:
        result = fn(*args)
    return len(captured), captured, result


def test_publishing_marks_observations_in_one_update_whatever_their_number():
    themes = [f.theme() for _ in range(2)]
    (edition,) = grown(themes, 2024, 1, breakdowns=2)
    with rewound():
        Observation.objects.update(public=False)
    small, _captured, became = queries(services.publish_observations, edition)
    assert became == Observation.objects.count()

    grown(themes, 2025, 1, breakdowns=20)  # ten times the observations of the drawn indicators
    with rewound():
        Observation.objects.update(public=False)
    big, captured, became = queries(services.publish_observations, edition)
    assert big == small == 2  # a COUNT and an UPDATE
    assert became == Observation.objects.count() > 10 * 2 * 30
    update = next(q["sql"] for q in captured if q["sql"].startswith("UPDATE"))
    assert "(SELECT" in update and len(update) < 2000  # a subquery, not a list of ids
    assert Observation.objects.filter(public=True, published_value__isnull=True).count() == 0


def test_publishing_again_rewrites_only_the_rows_that_changed():
    themes = [f.theme()]
    (edition,) = grown(themes, 2024, 1, breakdowns=3)
    services.publish_observations(edition)
    changed = Observation.objects.filter(period="2000", territory="NL", age_group="").get()
    changed.value, changed.note = 999, "gecorrigeerd"
    changed.save()
    assert services.publish_observations(edition) == 0
    changed.refresh_from_db()
    assert (changed.published_value, changed.published_note) == (999, "gecorrigeerd")
    with CaptureQueriesContext(connection) as captured:
        services.publish_observations(edition)
    assert "published_value" in captured[-1]["sql"] and "NOT" in captured[-1]["sql"]


def test_chart_periods_and_figures_without_data_cost_the_same_with_twice_the_editions_and_ten_times_the_data():
    themes = [f.theme() for _ in range(3)]
    editions = grown(themes, 2020, 2, breakdowns=1)
    Figure.objects.create(chapter=editions[0].chapters.first(), number=2, title="Nog zonder cijfers", source_line="")
    without = [queries(services.figures_without_data, e)[0] for e in editions]
    with rewound():
        Chart.objects.update(periods="", periods_pinned=False)
    pin = queries(services.pin_chart_periods, editions[0])[0]

    more = grown(themes, 2022, 2, breakdowns=10)  # twice the editions, about ten times the observations
    assert [queries(services.figures_without_data, e)[0] for e in editions + more] == without * 2
    with rewound():
        Chart.objects.update(periods="", periods_pinned=False)
    assert queries(services.pin_chart_periods, editions[0])[0] == pin
    missing = services.figures_without_data(editions[0])
    assert [figure.title for figure in missing] == ["Nog zonder cijfers"]


def test_pinned_periods_are_those_of_the_chart_window():
    theme = f.theme()
    edition = f.edition(year=2030)
    chapter, _indicator = drawn_chapter(edition, theme, range(2000, 2030), breakdowns=2, window=5)
    f.publish(edition)
    with rewound():  # the publication pinned them: unpin, to see pin_chart_periods itself do it
        Chart.objects.update(periods="", periods_pinned=False)
    services.pin_chart_periods(edition)
    chart = Chart.objects.get(figure__chapter=chapter)
    assert chart.period_list() == ["2025", "2026", "2027", "2028", "2029"] and chart.periods_pinned


def test_the_chapter_layout_fetches_only_the_cells_its_charts_draw():
    theme = f.theme()
    edition = f.edition(year=2030)
    drawn_chapter(edition, theme, range(1994, 2030), breakdowns=10, window=10)
    Observation.objects.update(public=True, published_value=500)
    f.publish(edition)
    with CaptureQueriesContext(connection) as captured:
        (chapter,) = prefetch_chapters(Chapter.objects.filter(edition=edition))
    fetched = [q for q in captured if "indicators_observation" in q["sql"] and "period" in q["sql"]]
    assert fetched, "the cells come from the observation table"
    (link,) = chapter.figures.all()[0].chart.series.all()
    assert len(link.drawn_cells) == 10  # the NL totals of the last ten periods, not 36 × 11 rows
    assert Observation.objects.count() == 36 * 11
    (figure,) = chapter.figures.all()
    data = chart_data.figure_chart_data(figure)
    assert data.categories == [str(year) for year in range(2020, 2030)]


def test_the_public_chapter_page_costs_the_same_with_twice_the_editions_and_ten_times_the_data(client):
    themes = [f.theme() for _ in range(2)]
    editions = grown(themes, 2020, 2, breakdowns=1)
    Observation.objects.update(public=True, published_value=7)
    url = f"/editie/2020/{themes[0].slug}/"
    client.get(url)
    before, _captured, response = queries(client.get, url)
    assert response.status_code == 200
    grown(themes, 2022, 2, breakdowns=10)
    Observation.objects.update(public=True, published_value=7)
    after, _captured, response = queries(client.get, url)
    assert response.status_code == 200 and after == before
    assert editions[0].chapters.count() == 2


def test_a_chart_carried_into_the_next_edition_keeps_its_window_and_moves_on():
    theme = f.theme()
    old = f.edition(year=2030)
    chapter, indicator = drawn_chapter(old, theme, range(1994, 2030))
    f.publish(old)
    with rewound():
        Chart.objects.filter(figure__chapter=chapter).update(kind=Chart.Kind.LINE)
    with rewound():
        Chart.objects.filter(figure__chapter=chapter).update(periods="2026, 2027, 2028, 2029", periods_pinned=True)
    new_chapter = f.chapter(edition=f.edition(year=2031), theme=theme)
    Figure.objects.create(chapter=new_chapter, number=1, title="Figuur", source_line="CBS")
    services.carry_series(chapter, new_chapter)
    carried = Chart.objects.get(figure__chapter=new_chapter)
    assert (carried.periods, carried.window) == ("", 4)
    add_years(indicator, [2030])
    data = chart_data.figure_chart_data(new_chapter.figures.get())
    assert data.categories == ["2027", "2028", "2029", "2030"]  # not every period since 1994
    published = chart_data.figure_chart_data(chapter.figures.get())
    assert published.categories == ["2026", "2027", "2028", "2029"]  # the published chart keeps its own


def test_an_editor_sees_and_changes_the_window_in_the_chart_admin(client):
    cast = f.workflow_cast()
    figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Figuur", source_line="CBS")
    indicator = f.indicator(cast.chapter_a.theme)
    chart = Chart.objects.create(figure=figure)
    FigureSeries.objects.create(chart=chart, indicator=indicator)
    add_years(indicator, range(2010, 2025))
    client.force_login(cast.editor_a, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/admin/indicators/chart/{chart.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="window"' in page and "getoonde perioden" in page.lower()
    assert "2010, 2011" in page  # no window: every period
    chart.window = 3
    chart.save()
    page = client.get(url).content.decode()
    assert "2022, 2023, 2024" in page and "2021, 2022" not in page


def old_observations_csv(queryset, as_published=False):
    """The export as it was built before: model instances through the import-export resource."""
    if as_published:
        ordered = queryset.select_related("indicator").order_by(*Observation._meta.ordering)
        queryset = [observation.as_published() for observation in ordered]
    dataset = ObservationResource(indicators=Indicator.objects.all()).export(queryset)
    return IMPORT_FORMATS[0]().export_data(dataset)


@pytest.mark.parametrize("as_published", [True, False])
def test_the_streamed_csv_is_byte_for_byte_the_export_of_before(as_published):
    themes = [f.theme() for _ in range(2)]
    grown(themes, 2024, 1, breakdowns=4)
    indicator = Indicator.objects.order_by("pk").first()
    f.observation(indicator, "2023-2024", "12.5", note='=HYPERLINK("x")', flag="suppressed", sex="+meisjes")
    f.observation(indicator, "2017-2021", "0.125", breakdown="@herkomst", flag="provisional")
    Observation.objects.update(public=True)
    Observation.objects.filter(pk__in=Observation.objects.order_by("pk").values("pk")[:40]).update(
        published_value=3, published_flag="estimate", published_note="-oud"
    )
    queryset = exporters.edition_observations(Edition.objects.get(year=2024), public_only=False)
    assert queryset.count() > 100
    new = exporters.observations_csv(queryset, as_published=as_published)
    assert new == old_observations_csv(queryset, as_published=as_published)
    assert b"'+meisjes" in new  # neutralised: a spreadsheet does not read it as a formula
    assert (b"'-oud" if as_published else b"'=HYPERLINK") in new


def test_the_open_data_zip_costs_the_same_queries_with_ten_times_the_data():
    themes = [f.theme() for _ in range(2)]
    (edition,) = grown(themes, 2024, 1, breakdowns=1)
    Observation.objects.update(public=True, published_value=1)
    exporter = exporters.OpenDataZipExporter(edition, indicators=Indicator.objects.published())
    small = queries(exporter.render)[0]
    grown(themes, 2025, 2, breakdowns=10)
    Observation.objects.update(public=True, published_value=1)
    assert queries(exporter.render)[0] == small


def test_the_chapter_history_list_costs_the_same_with_four_times_the_revisions(client):
    cast = f.workflow_cast()
    chapter = cast.chapter_a
    client.force_login(cast.coordinator, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/admin/themes/chapter/{chapter.pk}/history/"

    def revise(times):
        for n in range(times):
            chapter.summary = f"<p>Versie {n}</p>"
            chapter.save()

    revise(3)
    client.get(url)
    few, _captured, response = queries(client.get, url)
    assert response.status_code == 200
    revise(9)
    many, _captured, response = queries(client.get, url)
    page = response.content.decode()
    assert page.count(str(chapter)) >= 12  # every revision named as the chapter: edition and theme
    assert many == few


def test_the_indicator_page_shows_the_latest_periods_and_the_full_table_on_demand(client):
    themes = [f.theme()]
    grown(themes, 2030, 1, breakdowns=2)
    Observation.objects.update(public=True, published_value=5)
    indicator = Indicator.objects.get()
    url = indicator.get_absolute_url()
    client.get(url)
    short, _captured, response = queries(client.get, url)
    page = response.content.decode()
    assert "De tabel toont 2027 tot en met 2029, van 36 perioden." in page
    assert "De grafiek toont 2020 tot en met 2029." in page
    assert '<th scope="row">2029</th>' in page and '<th scope="row">2026</th>' not in page
    full = client.get(url + "?tabel=alles").content.decode()
    assert full.count('<th scope="row">') == 36 * 3 and '<th scope="row">1994</th>' in full

    grown(themes, 2031, 1, breakdowns=20)  # a period more, ten times the cells per period
    Observation.objects.update(public=True, published_value=5)
    more, _captured, response = queries(client.get, url)
    page = response.content.decode()
    assert more == short and "De tabel toont 2028 tot en met 2030, van 37 perioden." in page
    assert '<th scope="row">2027</th>' not in page


def test_the_recommendation_timeline_prints_a_text_once_and_names_the_editions_that_kept_it(client):
    from themes.models import DevelopmentGroup, DevelopmentItem

    co = f.concluding_observations()
    theme = f.theme()
    rec = f.recommendation("37a", co=co, theme=theme)
    for year in range(2024, 2030):  # six editions that copied the same texts
        edition = f.edition(year=year, concluding_observations=co)
        chapter = f.chapter(edition=edition, theme=theme, state=Chapter.State.APPROVED)
        group = DevelopmentGroup.objects.create(chapter=chapter, kind=DevelopmentGroup.Kind.POLICY, title="Beleid")
        group.recommendations.set([rec])
        body = "<p>Nieuw in 2029</p>" if year == 2029 else "<p>Het plan van aanpak</p>"
        DevelopmentItem.objects.create(group=group, title="Plan", body=body)
        DevelopmentItem.objects.create(group=group, position=1, title="Wet", body="<p>De wet blijft</p>")
        f.publish(edition)
    page = client.get(rec.get_absolute_url() + "?alle=1").content.decode()  # every edition
    assert page.count("<p>Het plan van aanpak</p>") == 1 and page.count("<p>De wet blijft</p>") == 1
    assert page.count("ongewijzigd sinds") == 4 + 5  # 2025…2028 kept the plan, 2025…2029 the law
    assert page.count("<p>Nieuw in 2029</p>") == 1 and page.count("<details open>") == 1
    # Without ?alle=1 the newest five: 2024, which printed both texts, is a link above them, and the
    # editions that kept a text still name 2024 as where it was printed.
    newest = client.get(rec.get_absolute_url()).content.decode()
    assert newest.count('<li class="timeline-entry">') == 5 and "<p>De wet blijft</p>" not in newest
    assert newest.count("ongewijzigd sinds Kinderrechten in Beweging 2024") == newest.count("ongewijzigd sinds") == 9
    assert "1 eerdere editie:" in newest and 'href="?alle=1#timeline-title"' in newest
    assert "Toon alleen de nieuwste edities" in page
    client.get("/taal/en/", {"next": "/"})  # the language link
    english = client.get(rec.get_absolute_url()).content.decode()
    assert "The newest 5 editions are below; 1 earlier edition:" in english and "Show the whole timeline" in english


def test_an_indicator_with_many_breakdowns_charts_its_totals_and_tables_the_rest():
    indicator = f.indicator()
    add_years(indicator, range(2015, 2025), breakdowns=12)
    data = chart_data.indicator_data(indicator)
    assert [s.label for s in data.series] == [indicator.name] and len(data.categories) == 10
    assert "de uitsplitsingen staan in de tabel" in charts.indicator_svg(indicator)
    few = f.indicator()
    add_years(few, range(2015, 2025), breakdowns=3)
    assert len(chart_data.indicator_data(few).series) == 4 and not chart_data.indicator_data(few).note


def test_grow_demo_publishes_each_year_through_the_import_path_and_the_workflow(demo_db):
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from indicators.models import ImportLog
    from kib.demo.growth import grow
    from kib.publication.receivers import without_pdf
    from kib.workflow.models import AuditEntry

    before = Observation.objects.count()
    with without_pdf():
        edition = grow(until=2026, extra_cells=[("CN", "jongens", "")])
    assert (edition.year, edition.state) == (2026, Edition.State.PREPARATION)
    published = Edition.objects.get(year=2025)
    assert published.is_published
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Edition),
        object_id=published.pk,
        action=AuditEntry.Action.PUBLISH,
    ).exists()
    assert not published.chapters.exclude(state=Chapter.State.APPROVED).exists()
    assert ImportLog.objects.filter(file_name__in=["cijfers-2025.csv", "cijfers-2026.csv"]).count() == 2
    assert Observation.objects.count() > before + 2 * Indicator.objects.count()
    assert Observation.history.filter(history_change_reason="Import cijfers-2026.csv").exists()
    assert Observation.objects.filter(period="2025", territory="CN", sex="jongens").exists()
    # A chart pinned in 2024 went into 2025 as a window, and 2025's charts were pinned at publication.
    assert Chart.objects.filter(figure__chapter__edition=published, periods_pinned=True).exists()
    assert Chart.objects.filter(figure__chapter__edition=edition, window__isnull=False).exists()
    call_command("grow_demo", "--until", "2026", "--no-pdf", "-v0")  # safe to rerun: nothing left to do
    assert Edition.objects.filter(year=2027).count() == 0
