"""Template tags of the public site (``templates/public/``)."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from indicators.chart_data import figure_chart_data
from indicators.stats import flag_notes
from kib.rendered import shown

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


@register.simple_tag(takes_context=True)
def figure_data(context, figure):
    """Under a chart on the public site: its numbers as a table, folded in ``<details>`` (nothing without data).

    Written out here rather than in a template (it was ``public/figure_data.html``): a cell per period and
    series, the template's work per cell was most of a figure's time on the chapter page.
    """
    table = figure_table(figure)
    if not table:
        return SafeString("\n")
    number = shown(figure.number, context)
    unit = shown(table["unit"], context) if table["unit"] else ""
    out = [
        '\n<details class="figure-data">\n  <summary>',
        gettext("De cijfers van figuur %(number)s als tabel") % {"number": number},
        '</summary>\n  <div class="table-wrap" role="region" aria-label="',
        gettext("Tabel bij figuur %(number)s") % {"number": number},
        '" tabindex="0">\n  <table class="data">\n    <caption class="visually-hidden">',
        f"{shown(gettext('Figuur'), context)} {number}. {shown(figure.title, context)}",
        f" ({unit})" if unit else "",
        "</caption>\n    <thead><tr><td></td>",
        *(f'<th scope="col" class="num">{shown(column, context)}</th>' for column in table["columns"]),
        "</tr></thead>\n    <tbody>\n    ",
    ]
    for label, cells in table["rows"]:
        out.append(f'<tr><th scope="row">{shown(label, context)}</th>')
        out.extend(f'<td class="num">{shown(cell, context)}</td>' for cell in cells)
        out.append("</tr>")
    out.append("\n    </tbody>\n  </table>\n  </div>\n  ")
    if unit:
        out.append(f'<p class="meta">{shown(gettext("Eenheid"), context)}: {unit}</p>')
    out.append("\n  ")
    out.extend(f'<p class="meta">{shown(note, context)}</p>' for note in table["notes"])
    out.append("\n</details>\n\n")
    return SafeString("".join(out))

