"""A missing value in a grouped chart is shown as missing: a mark, a note under the chart, and words in the description."""

from decimal import Decimal

from indicators.chart_data import Cell, ChartData, Series
from indicators.charts import MISSING_MARK, describe, render_svg
from indicators.models import Chart


def grouped(categories=("2021", "2022", "2023")):
    boys = Series("jongens", {c: Cell(Decimal("12.5")) for c in categories})
    girls = Series("meisjes", {c: Cell(Decimal("14")) for c in categories if c != "2022"})
    return ChartData("Stress", Chart.Kind.GROUPED_BAR, list(categories), [boys, girls], unit="%")


def test_a_missing_bar_gets_a_mark_and_a_legend_note():
    svg = str(render_svg(grouped(), "t"))
    assert f">{MISSING_MARK}</text>" in svg
    assert "geen gegevens voor die groep in die periode" in svg


def test_the_description_names_what_is_missing():
    assert "meisjes, 2022: geen gegevens." in describe(grouped())


def test_long_group_names_drawn_as_bars_mark_the_gap_too():
    data = grouped(("Leerlingen in het voortgezet speciaal onderwijs", "Basisonderwijs groep 8", "Mbo"))
    data.categories = list(data.series[0].cells)
    data.series[1].cells.pop("Basisonderwijs groep 8", None)
    svg = str(render_svg(data, "t"))
    assert f">{MISSING_MARK}</text>" in svg


def test_a_complete_chart_has_no_gap_note():
    data = grouped()
    data.series[1].cells["2022"] = Cell(Decimal("15"))
    svg = str(render_svg(data, "t"))
    assert "geen gegevens" not in svg and f">{MISSING_MARK}</text>" not in svg
