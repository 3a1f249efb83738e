"""Charts: one SVG renderer for the web and the PDF, readable without seeing it."""

import itertools
import xml.etree.ElementTree as ET

import pytest

from indicators.charts import figure_svg, indicator_svg
from indicators.models import SPLIT, Chart, FigureSeries, Observation
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


_years = itertools.count(2030)


def new_chapter():
    return f.chapter(edition=f.edition(year=next(_years)))


def figure_with(series_specs, kind=Chart.Kind.BAR, **chart_fields):
    """A figure whose chart draws the given (indicator, filters) series."""
    chapter = new_chapter()
    figure = Figure.objects.create(chapter=chapter, number=1, title="Aantal kinderen dat op pleegzorg wacht")
    chart = Chart.objects.create(figure=figure, kind=kind, **chart_fields)
    for position, (indicator, filters) in enumerate(series_specs):
        FigureSeries.objects.create(chart=chart, indicator=indicator, position=position, **filters)
    return figure


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root):
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_figure_without_chart_or_numbers_has_no_svg():
    chapter = new_chapter()
    bare = Figure.objects.create(chapter=chapter, number=1, title="Nog in te vullen")
    assert figure_svg(bare) is None
    empty = figure_with([(f.indicator(), {})])
    assert figure_svg(empty) is None


def test_bar_chart_is_valid_svg_with_title_desc_and_dutch_numbers():
    waiting = f.indicator(name="Meldingen bij antidiscriminatievoorzieningen")
    f.observation(waiting, "2019", "4382")
    f.observation(waiting, "2023", "6351")
    svg = figure_svg(figure_with([(waiting, {})]))
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("width") and root.get("height") and root.get("viewBox")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Aantal kinderen dat op pleegzorg wacht"
    assert "2019: 4.382" in desc.text and "2023: 6.351" in desc.text
    assert {"4.382", "6.351", "2019", "2023"} <= set(texts(root))
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "var(" not in svg and "<style" not in svg and "<script" not in svg


def test_flags_are_visible_in_the_chart_and_explained():
    indicator = f.indicator(name="Onbegeleide kinderen vertrokken uit de beschermde opvang")
    f.observation(indicator, "2021", "5", flag=Observation.Flag.SUPPRESSED)
    f.observation(indicator, "2022", "350", flag=Observation.Flag.ESTIMATE)
    f.observation(indicator, "2023", "838", flag=Observation.Flag.PROVISIONAL)
    root = parse(figure_svg(figure_with([(indicator, {})])))
    shown = texts(root)
    assert {"< 5", "ca. 350", "838 v"} <= set(shown)
    assert "v = voorlopig cijfer" in shown and "ca. = schatting" in shown
    assert any(t.startswith("< = klein aantal") for t in shown)


def test_decimals_and_percentages_use_a_comma():
    share = f.indicator(name="Aandeel jongeren tot 18 jaar met jeugdhulp", unit="%")
    f.observation(share, "2022", "13.5")
    f.observation(share, "2023", "1234.25")
    shown = texts(parse(figure_svg(figure_with([(share, {})]))))
    assert "13,5%" in shown and "1.234,25%" in shown


def test_one_period_with_groups_draws_a_bar_per_group():
    reasons = f.indicator(name="Verhuisbewegingen naar reden")
    f.observation(reasons, "2023", "4970", breakdown="kinderen in gezinnen – doorstroom")
    f.observation(reasons, "2023", "540", breakdown="onbegeleid – sluiting centrum")
    root = parse(figure_svg(figure_with([(reasons, {"breakdown": SPLIT})])))
    shown = texts(root)
    assert "kinderen in gezinnen – doorstroom" in " ".join(shown)
    assert {"4.970", "540"} <= set(shown)
    assert len([r for r in root.iter(f"{SVG}rect")]) == 2


def test_grouped_bars_and_a_legend_for_several_series_over_years():
    girls = f.indicator(name="Jongeren met psychische klachten")
    for period, boys, girls_value in [("2021", "20", "35"), ("2023", "22", "40")]:
        f.observation(girls, period, boys, sex="jongens")
        f.observation(girls, period, girls_value, sex="meisjes")
    root = parse(figure_svg(figure_with([(girls, {"sex": SPLIT})], kind=Chart.Kind.GROUPED_BAR)))
    shown = texts(root)
    assert "Jongens" in " ".join(shown).capitalize() or "jongens" in " ".join(shown)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("width") != "12.0"]
    assert len(bars) == 4


def test_line_chart_spaces_years_by_time():
    family = f.indicator(name="Kinderen in gezinsgericht verblijf")
    for period, value in [("2018", "6165"), ("2020", "5310"), ("2021", "6540"), ("2023", "6580")]:
        f.observation(family, period, value)
    svg = figure_svg(figure_with([(family, {})], kind=Chart.Kind.LINE))
    root = parse(svg)
    assert root.find(f"{SVG}path") is not None
    circles = [float(c.get("cx")) for c in root.iter(f"{SVG}circle")]
    gaps = [b - a for a, b in zip(circles, circles[1:], strict=False)]
    assert gaps[0] == pytest.approx(2 * gaps[1], rel=0.01)  # 2018→2020 is twice 2020→2021


def test_different_units_fall_back_to_a_table():
    count = f.indicator(name="Jongeren met jeugdhulp", unit="aantal")
    share = f.indicator(name="Aandeel jongeren met jeugdhulp", unit="%")
    f.observation(count, "2023", "464530")
    f.observation(share, "2023", "13.5")
    root = parse(figure_svg(figure_with([(count, {}), (share, {})], kind=Chart.Kind.BAR)))
    shown = texts(root)
    assert "464.530" in shown and "13,5%" in shown
    assert root.find(f"{SVG}rect") is None  # no bars: a table of text


def test_chart_periods_limit_what_is_drawn():
    indicator = f.indicator()
    for year in ("2019", "2020", "2023"):
        f.observation(indicator, year, "10")
    shown = texts(parse(figure_svg(figure_with([(indicator, {})], periods="2019, 2023"))))
    assert "2020" not in shown and "2019" in shown


def test_labels_are_escaped():
    indicator = f.indicator(name='<script>alert("x")</script> & co')
    f.observation(indicator, "2023", "1", breakdown="<b>vet</b>")
    f.observation(indicator, "2023", "2", breakdown="ander")
    svg = figure_svg(figure_with([(indicator, {"breakdown": SPLIT})]))
    assert "<script>" not in svg and "<b>" not in svg
    parse(svg)


def test_indicator_chart_for_the_admin_page_shows_every_territory():
    indicator = f.indicator(name="Zorgmeldingen huiselijk geweld")
    f.observation(indicator, "2023", "28", territory="BON")
    f.observation(indicator, "2023", "5", territory="STA")
    shown = " ".join(texts(parse(indicator_svg(indicator))))
    assert "Bonaire" in shown and "Sint Eustatius" in shown


def test_charts_of_a_prefetched_chapter_need_no_queries(django_assert_num_queries):
    indicator = f.indicator()
    f.observation(indicator, "2022", "1")
    f.observation(indicator, "2023", "2")
    figure = figure_with([(indicator, {})])
    chapter = (
        type(figure.chapter)
        .objects.prefetch_related("figures", "figures__chart", "figures__chart__series__indicator__observations")
        .get(pk=figure.chapter_id)
    )
    (prefetched,) = chapter.figures.all()
    with django_assert_num_queries(0):
        assert figure_svg(prefetched)


@pytest.mark.usefixtures("demo_db")
def test_demo_figures_with_numbers_draw_real_charts():
    from indicators.services import figures_without_data
    from kib.models import Edition

    edition = Edition.objects.get(year=2024)
    figures = Figure.objects.filter(chapter__edition=edition)
    drawn = [fig for fig in figures if figure_svg(fig)]
    missing = figures_without_data(edition)
    assert len(drawn) + len(missing) == figures.count()
    assert len(drawn) >= 25
    for fig in drawn:
        parse(figure_svg(fig))
    antidiscrimination = Figure.objects.get(chapter__edition=edition, chapter__theme__number=1, number=1)
    assert {"4.382", "6.351"} <= set(texts(parse(figure_svg(antidiscrimination))))
