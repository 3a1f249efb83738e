"""Template tags of the public site (``templates/public/``)."""

from django import template

from indicators.chart_data import figure_chart_data
from indicators.stats import flag_notes

register = template.Library()


@register.simple_tag
def figure_table(figure):
    """The numbers behind a figure's chart as a table (the text alternative under the chart), or None."""
    data = figure_chart_data(figure)
    if data is None:
        return None
    rows = [
        (series.label or data.title, [data.fmt(series.cells[c]) if c in series.cells else "–" for c in data.categories])
        for series in data.series
    ]
    return {
        "columns": data.categories,
        "rows": rows,
        "unit": data.value_label or data.unit,
        "notes": flag_notes(data.flags),
    }
