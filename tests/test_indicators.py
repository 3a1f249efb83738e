"""Indicators as editors and readers meet them: numbers the Dutch way, changes between years,
data gaps carried into the next edition, and each organisation reaching only its own indicators."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from indicators import services, stats
from indicators.models import Chart, DataGap, FigureSeries, HeadlineSeries, ImportLog, Indicator, Observation
from kib.models import Edition, Organisation
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db


# -- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (6351, None, "6.351"),
        (Decimal("4382.000"), None, "4.382"),
        (Decimal("13.500"), None, "13,5"),
        (1234.5, None, "1.234,5"),
        (Decimal("1234567.891"), None, "1.234.567,891"),
        (Decimal("-408"), None, "-408"),
        (Decimal("44.93"), 1, "44,9"),
        (Decimal("0.05"), 1, "0,1"),
        (0, None, "0"),
        (None, None, ""),
        ("", None, ""),
    ],
)
def test_numbers_are_formatted_the_dutch_way(value, decimals, expected):
    assert stats.format_number(value, decimals) == expected


def test_remembered_numbers_keep_apart_what_only_compares_equal():
    """Formatted numbers are remembered per value: values that compare equal but print differently must not share."""
    for _ in range(2):
        assert stats.format_number(True) == ""  # not a number, though True == 1
        assert stats.format_number(1) == "1"
        assert stats.format_number(Decimal("2.5"), 0) == "3" and stats.format_number(2.5, 1) == "2,5"
        assert stats.format_number(Decimal("0.1")) == "0,1" and stats.format_number(0.1) == "0,1"
    assert stats.format_number([1]) == ""  # a value that cannot be remembered is formatted all the same


def test_change_between_two_years_absolute_and_per_cent():
    indicator = f.indicator(name="Meldingen bij antidiscriminatievoorzieningen")
    f.observation(indicator, "2019", "4382")
    f.observation(indicator, "2023", "6351")
    change = stats.change(indicator, "2019", "2023")
    assert change.absolute == Decimal("1969")
    assert change.percent == Decimal("44.9")
    assert str(change) == "+1.969 (+44,9%) van 2019 tot 2023"


def test_change_of_a_percentage_is_in_percentage_points():
    share = f.indicator(unit="%")
    f.observation(share, "2022", "16")
    f.observation(share, "2023", "17")
    assert str(stats.change(share)) == "+1 procentpunt van 2022 tot 2023"


def test_change_without_both_values_is_none_and_from_zero_has_no_percentage():
    indicator = f.indicator()
    f.observation(indicator, "2022", "0")
    assert stats.change(indicator, "2022", "2023") is None
    f.observation(indicator, "2023", "5")
    change = stats.change(indicator)
    assert change.percent is None and str(change) == "+5 van 2022 tot 2023"


def test_change_of_an_estimate_is_marked_inexact():
    indicator = f.indicator()
    f.observation(indicator, "2022", "5", flag=Observation.Flag.SUPPRESSED)
    f.observation(indicator, "2023", "12")
    assert not stats.change(indicator).is_exact


def test_template_filters_and_headline_change_for_chapter_text():
    chapter = f.chapter()
    residential = f.indicator(chapter.theme, name="Jongeren in residentiële jeugdhulp")
    f.observation(residential, "2019", "18150")
    f.observation(residential, "2021", "18000")
    f.observation(residential, "2023", "18190", flag=Observation.Flag.PROVISIONAL)
    HeadlineSeries.objects.create(chapter=chapter, indicator=residential, period_from="2019", period_to="2023")
    template = Template(
        "{% load indicators %}{{ 18190|nl_number }} {{ 13.456|nl_number:1 }} {{ obs|nl_value }} "
        "{% headline_change chapter as change %}{{ change }}|{{ change.absolute|nl_signed }}|{{ change.percent_display }}"
        '{% indicator_change indicator "2021" "2023" as recent %}|{{ recent }}'
    )
    obs = residential.observations.get(period="2023")
    html = template.render(Context({"chapter": chapter, "obs": obs, "indicator": residential}))
    assert html == "18.190 13,5 18.190 v +40 (+0,2%) van 2019 tot 2023|+40|+0,2%|+190 (+1,1%) van 2021 tot 2023"


# -- data gaps ----------------------------------------------------------------------


@pytest.fixture
def two_editions():
    old = f.edition(2024)
    new = f.edition(2025)
    theme = f.theme(8, title="Migratie")
    old_chapter = f.chapter(edition=old, theme=theme)
    new_chapter = f.chapter(edition=new, theme=theme)
    f.publish(old)
    return old, new, old_chapter, new_chapter


def test_open_data_gaps_come_along_into_the_next_edition(two_editions):
    old, new, old_chapter, new_chapter = two_editions
    first = f.published_edition(2023)
    rec = f.recommendation("48c")
    gap = DataGap.objects.create(
        chapter=old_chapter,
        description="Het aantal kinderen in de vrijheidsbeperkende locatie wordt niet bijgehouden.",
        holder="COA",
        recommendation=rec,
        territory="NL",
        first_noted_in=first,
    )
    DataGap.objects.create(chapter=old_chapter, description="Deels opgelost", status=DataGap.Status.PARTLY)
    DataGap.objects.create(chapter=old_chapter, description="Opgelost", status=DataGap.Status.CLOSED)

    created = services.carry_data_gaps(old_chapter, new_chapter)
    assert sorted(g.description[:14] for g in created) == ["Deels opgelost", "Het aantal kin"]
    carried = new_chapter.data_gaps.get(carried_from=gap)
    assert (carried.first_noted_in, carried.recommendation, carried.holder) == (first, rec, "COA")
    assert services.carry_data_gaps(old_chapter, new_chapter) == []  # safe to call again
    assert new_chapter.data_gaps.count() == 2


def test_rollover_brings_charts_headline_and_gaps(two_editions):
    """The workflow's start_next_edition copies the chapter with its charts; nothing is doubled afterwards."""
    from kib.workflow.services import start_next_edition

    old, _new, old_chapter, _ = two_editions
    Edition.objects.filter(year=2025).delete()
    indicator = f.indicator(old_chapter.theme)
    f.observation(indicator, "2022", "1")
    f.observation(indicator, "2023", "2")
    figure = Figure.objects.create(chapter=old_chapter, number=1, title="Onbegeleide kinderen")
    chart = Chart.objects.create(figure=figure, kind=Chart.Kind.LINE, periods="2022, 2023", periods_pinned=True)
    FigureSeries.objects.create(chart=chart, indicator=indicator)
    HeadlineSeries.objects.create(chapter=old_chapter, indicator=indicator)
    DataGap.objects.create(chapter=old_chapter, description="Niet gemeten", first_noted_in=old)

    collective = f.organisation("Kinderrechtencollectief", kind=Organisation.Kind.COLLECTIVE)
    coordinator = f.user_with_role("coördinator", organisation=collective)
    new = start_next_edition(old, by=coordinator)
    new_chapter = new.chapters.get(theme=old_chapter.theme)
    # the rollover brought it all
    assert (
        len(services.carry_data_gaps(old_chapter, new_chapter)),
        services.carry_series(old_chapter, new_chapter),
    ) == (0, 0)

    new_figure = Figure.objects.get(chapter__edition=new, number=1)
    assert new_figure.chart.kind == Chart.Kind.LINE
    assert (new_figure.chart.periods, new_figure.chart.periods_pinned) == ("", False)
    assert list(new_figure.chart.series.values_list("indicator", flat=True)) == [indicator.pk]
    assert HeadlineSeries.objects.filter(chapter__edition=new).count() == 1
    gaps = DataGap.objects.filter(chapter__edition=new)
    assert gaps.count() == 1 and gaps.get().first_noted_in == old
    assert services.figures_without_data(new) == []


def test_carry_series_links_figures_of_a_hand_made_edition(two_editions):
    old, new, old_chapter, new_chapter = two_editions
    indicator = f.indicator(old_chapter.theme)
    f.observation(indicator, "2023", "7")
    old_figure = Figure.objects.create(chapter=old_chapter, number=2, title="Verhuizingen")
    chart = Chart.objects.create(figure=old_figure, kind=Chart.Kind.BAR, periods="2023", periods_pinned=True)
    chosen = Chart.objects.create(
        figure=Figure.objects.create(chapter=old_chapter, number=3, title="Twee jaren"), periods="2019, 2023"
    )
    FigureSeries.objects.create(chart=chosen, indicator=indicator)
    FigureSeries.objects.create(chart=chart, indicator=indicator, breakdown="*")
    HeadlineSeries.objects.create(chapter=old_chapter, indicator=indicator, period_from="2019", period_to="2023")
    new_figure = Figure.objects.create(chapter=new_chapter, number=2, title="Verhuizingen")
    new_chosen = Figure.objects.create(chapter=new_chapter, number=3, title="Twee jaren")

    assert (
        len(services.carry_data_gaps(old_chapter, new_chapter)),
        services.carry_series(old_chapter, new_chapter),
    ) == (0, 3)
    assert new_figure.chart.series.get().breakdown == "*"
    assert new_figure.chart.periods == ""  # pinned at publication: next year's chart shows the newest periods too
    assert new_chosen.chart.periods == "2019, 2023"  # chosen by an editor: kept
    headline = HeadlineSeries.objects.get(chapter=new_chapter)
    assert (headline.period_from, headline.period_to) == ("2019", "")
    assert (
        len(services.carry_data_gaps(old_chapter, new_chapter)),
        services.carry_series(old_chapter, new_chapter),
    ) == (0, 0)


def test_publishing_pins_the_periods_a_chart_shows(two_editions):
    """Next year's numbers do not change a published report's figures; a corrected value does show."""
    from indicators.charts import figure_svg
    from kib.workflow.signals import edition_published

    _old, new, _, new_chapter = two_editions
    indicator = f.indicator(new_chapter.theme)
    f.observation(indicator, "2022", "790")
    f.observation(indicator, "2023", "838")
    figure = Figure.objects.create(chapter=new_chapter, number=1, title="Wachtlijst pleegzorg")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=indicator)

    edition_published.send(sender=Edition, edition=new, by=None)
    chart = Chart.objects.get(figure=figure)
    assert (chart.periods, chart.periods_pinned) == ("2022, 2023", True)
    f.observation(indicator, "2024", "804")
    indicator.observations.filter(period="2023").update(value=Decimal("840"))
    svg = figure_svg(Figure.objects.get(pk=figure.pk))
    assert "804" not in svg and "840" in svg


def test_data_gaps_partial_shows_what_where_and_since_when(two_editions):
    old, _new, old_chapter, _ = two_editions
    DataGap.objects.create(
        chapter=old_chapter,
        description="Er zijn geen cijfers over kinderen in de noodopvang op Bonaire.",
        holder="Openbaar Lichaam Bonaire",
        territory="BON",
        first_noted_in=old,
        recommendation=f.recommendation("47a"),
        status=DataGap.Status.PARTLY,
    )
    html = Template('{% include "report/data_gaps.html" %}').render(Context({"chapter": old_chapter}))
    assert "Blinde vlekken" in html
    assert "Er zijn geen cijfers over kinderen in de noodopvang op Bonaire." in html
    assert (
        "Bonaire · Aanbeveling 47a · Gegevens bij: Openbaar Lichaam Bonaire · Gesignaleerd sinds 2024 · Deels opgelost"
        in html
    )
    empty = f.chapter(edition=old, theme=f.theme(9))
    assert "Blinde vlekken" not in Template('{% include "report/data_gaps.html" %}').render(Context({"chapter": empty}))


def test_figures_without_data_are_listed_for_the_dashboard(two_editions):
    old, _new, old_chapter, _ = two_editions
    indicator = f.indicator(old_chapter.theme)
    f.observation(indicator, "2023", "3")
    drawn = Figure.objects.create(chapter=old_chapter, number=1, title="Met cijfers")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=drawn), indicator=indicator)
    waiting = Figure.objects.create(chapter=old_chapter, number=2, title="Nog in te voeren")
    empty_chart = Figure.objects.create(chapter=old_chapter, number=3, title="Reeks zonder cijfers")
    FigureSeries.objects.create(
        chart=Chart.objects.create(figure=empty_chart), indicator=f.indicator(old_chapter.theme)
    )
    assert services.figures_without_data(old) == [waiting, empty_chart]


# -- who reaches what in the admin ------------------------------------------------------


@pytest.fixture
def organisations():
    unicef = f.organisation("UNICEF Nederland", kind=Organisation.Kind.CORE)
    defence = f.organisation("Defence for Children", kind=Organisation.Kind.CORE)
    collective = f.organisation("Kinderrechtencollectief", kind=Organisation.Kind.COLLECTIVE)
    edition = f.edition(2025)
    foster, justice = f.theme(4), f.theme(10)
    unicef_chapter = f.chapter(edition=edition, theme=foster, lead_organisation=unicef)
    defence_chapter = f.chapter(edition=edition, theme=justice, lead_organisation=defence)
    defence_chapter.contributing_organisations.add(unicef)  # UNICEF contributes to justice too
    education = f.theme(7)
    published = f.edition(2024)
    f.chapter(edition=published, theme=education, lead_organisation=unicef)
    f.publish(published)
    return {
        "unicef": f.user_with_role("redacteur", organisation=unicef),
        "defence": f.user_with_role("redacteur", organisation=defence),
        "coordinator": f.user_with_role("coördinator", organisation=collective),
        "foster": f.indicator(foster, code="pleegzorg", name="Wachtlijst pleegzorg"),
        "justice": f.indicator(justice, code="jji", name="Minderjarigen in een JJI"),
        "published_only": f.indicator(education, code="onderwijs", name="Alleen in een gepubliceerde editie"),
        "unicef_chapter": unicef_chapter,
        "defence_chapter": defence_chapter,
    }


def changelist_names(client, user, url_name="admin:indicators_indicator_changelist"):
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return {str(obj) for obj in response.context["cl"].result_list}


def test_editor_of_unicef_sees_indicators_of_chapters_unicef_leads_or_contributes_to(client, organisations):
    names = changelist_names(client, organisations["unicef"])
    assert names == {"Wachtlijst pleegzorg", "Minderjarigen in een JJI"}


def test_editor_of_defence_for_children_does_not_see_unicefs_indicator(client, organisations):
    assert changelist_names(client, organisations["defence"]) == {"Minderjarigen in een JJI"}
    client.force_login(organisations["defence"])
    url = reverse("admin:indicators_indicator_change", args=[organisations["foster"].pk])
    assert client.get(url).status_code in (302, 404)


def test_coordinator_sees_every_indicator(client, organisations):
    assert len(changelist_names(client, organisations["coordinator"])) == 3


def test_editor_exports_only_their_organisations_observations(client, organisations):
    f.observation(organisations["foster"], "2023", "838")
    f.observation(organisations["justice"], "2023", "913")
    client.force_login(organisations["defence"])
    response = client.post(reverse("admin:indicators_observation_export"), {"format": "0", "resource": "0"})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "jji,2023" in body and "pleegzorg" not in body


def test_editor_sees_only_their_data_gaps(client, organisations):
    DataGap.objects.create(chapter=organisations["unicef_chapter"], description="Wachttijden pleegzorg onbekend")
    DataGap.objects.create(chapter=organisations["defence_chapter"], description="Politiecellen niet geteld")
    names = changelist_names(client, organisations["defence"], "admin:indicators_datagap_changelist")
    assert names == {"Politiecellen niet geteld"}


def test_indicator_page_shows_its_chart_and_the_figures_using_it(client, organisations):
    indicator = organisations["foster"]
    f.observation(indicator, "2022", "790")
    f.observation(indicator, "2023", "838")
    figure = Figure.objects.create(
        chapter=organisations["unicef_chapter"], number=4, title="Kinderen die op pleegzorg wachten"
    )
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=indicator)
    client.force_login(organisations["unicef"])
    response = client.get(reverse("admin:indicators_indicator_change", args=[indicator.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 2 and "838" in html and "Kinderen die op pleegzorg wachten" in html


def test_chart_admin_previews_the_figure(client, organisations):
    indicator = organisations["justice"]
    f.observation(indicator, "2023", "913")
    figure = Figure.objects.create(
        chapter=organisations["defence_chapter"], number=4, title="Unieke minderjarigen in een JJI"
    )
    chart = Chart.objects.create(figure=figure)
    FigureSeries.objects.create(chart=chart, indicator=indicator)
    client.force_login(organisations["coordinator"])
    response = client.get(reverse("admin:indicators_chart_change", args=[chart.pk]))
    assert response.status_code == 200 and "913" in response.content.decode()
    assert client.get(reverse("admin:indicators_chart_changelist")).status_code == 200
    assert client.get(reverse("admin:indicators_headlineseries_changelist")).status_code == 200


def test_editor_sees_only_their_own_imports_in_the_log(client, organisations):
    ImportLog.objects.create(user=organisations["unicef"], file_name="unicef.xlsx")
    ImportLog.objects.create(user=organisations["defence"], file_name="defence.csv")
    client.force_login(organisations["defence"])
    response = client.get(reverse("admin:indicators_importlog_changelist"))
    assert [log.file_name for log in response.context["cl"].result_list] == ["defence.csv"]


def test_editor_adds_indicators_only_to_their_own_themes(client, organisations):
    client.force_login(organisations["defence"])
    form = client.get(reverse("admin:indicators_indicator_add")).context["adminform"].form
    assert [t.number for t in form.fields["theme"].queryset] == [10]


# -- the demo ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_db")
def test_demo_links_headline_figures_to_their_series():
    from kib.models import Edition

    edition = Edition.objects.get(year=2024)
    links = HeadlineSeries.objects.filter(chapter__edition=edition).select_related("chapter__theme")
    assert {link.chapter.theme.number for link in links} >= {1, 3, 4, 9, 10}
    youth_care = links.get(chapter__theme__number=4)
    assert str(stats.headline_change(youth_care.chapter)) == "+40 (+0,2%) van 2019 tot 2023"
    assert Indicator.objects.count() > 100 and Observation.objects.count() > 250
    assert Chart.objects.filter(figure__chapter__edition=edition).count() >= 25
    for link in links:
        printed = {v.label: v.value for v in link.chapter.headline_values.all()}
        change = stats.headline_change(link.chapter)
        assert printed == {change.period_from: change.value_from, change.period_to: change.value_to}
