"""Template tags of the public site (``templates/public/``)."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat, truncatewords_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from indicators.chart_data import figure_chart_data
from indicators.stats import flag_notes
from kib.rendered import shown

register = template.Library()


def figure_table(figure):
    """The numbers behind a figure's chart as a table (the text alternative under the chart, ``figure_data``), or None."""
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


@register.simple_tag(takes_context=True)
def tracker_results(context, recommendations):
    """The tracker's list of results: per recommendation its code and theme, the start of its text, its latest
    assessment and its row of assessments per edition (``recommendations.views.add_movement_row``).

    Written out here rather than in the template's loop, as ``figure_data`` is: fifty results with a row of
    editions each, the template's work per value was most of the tracker. The words of every result are
    translated once per page (and escaped, as ``{% translate %}`` does).
    """
    words = {
        "recommendation": shown(gettext("Aanbeveling"), context),
        "latest": shown(gettext("Laatste beoordeling:"), context),
        "not_yet": shown(gettext("nog niet beoordeeld"), context),
        "gap": shown(gettext("blinde vlek"), context),
        "per_edition": shown(gettext("Beoordeling per editie"), context),
        "never": shown(gettext("Nog in geen editie besproken."), context),
    }
    out = ['<ul class="recommendation-results">\n  ']
    for recommendation in recommendations:
        theme = recommendation.theme
        out.append(
            f'\n    <li>\n      <h3><a href="{shown(recommendation.get_absolute_url(), context)}">{words["recommendation"]} '
            f"{shown(recommendation.code, context)}</a>\n        "
        )
        if theme:
            out.append(f'<span class="theme-tag">{shown(theme.number, context)}. {shown(theme.nav_label, context)}</span>')
        out.append(
            f'</h3>\n      <div class="rec-text" lang="nl">{truncatewords_html(recommendation.text, 45)}</div>\n'
            f'      <p class="latest-assessment"><strong>{words["latest"]}</strong>\n        '
        )
        marker = recommendation.latest_marker
        if marker:
            year = shown(recommendation.latest_movement_year, context)
            out.append(f'{shown(marker, context)} <span class="meta">({year})</span>')
        else:
            out.append(f'<span class="meta">{words["not_yet"]}</span>')
        out.append("\n        ")
        if recommendation.has_data_gap:
            out.append(f'<span class="gap-tag">{words["gap"]}</span>')
        out.append("</p>\n      ")
        if recommendation.movement_row:
            out.append(f'\n      <ol class="movement-row" aria-label="{words["per_edition"]}">\n        ')
            out.extend(
                f'\n        <li><span class="year">{shown(edition.year, context)}</span> {shown(cell, context)}</li>\n        '
                for edition, cell in recommendation.movement_row
            )
            out.append("\n      </ol>\n      ")
        else:
            out.append(f'\n      <p class="meta">{words["never"]}</p>\n      ')
        out.append("\n    </li>\n  ")
    out.append("\n  </ul>")
    return SafeString("".join(out))


@register.simple_tag(takes_context=True)
def edition_archive(context, editions):
    """The home page's list of every published edition: its link, series, reporting period, publication date
    and current PDF (``edition.current_pdf``, set by the view).

    Written out here rather than in the template's loop, as ``tracker_results`` is: the list grows by an
    edition a year, and the template's work was most of the home page on a set of twelve editions.
    """
    period_word = shown(gettext("verslagperiode"), context)
    pdf_word = shown(gettext("pdf"), context)
    out = ['<ul class="edition-list">\n  ']
    for edition in editions:
        name = shown(edition, context)
        out.append(
            f'\n    <li>\n      <a class="edition-link" href="{shown(edition.get_absolute_url(), context)}">{name}</a>\n'
            f'      <span class="meta">{shown(edition.get_series_display(), context)}'
        )
        period = edition.reporting_period_label
        if period:
            out.append(f" · {period_word} {shown(period, context)}")
        if edition.publication_date:
            day = shown(date_filter(edition.publication_date, "j F Y"), context)
            out.append(" · " + gettext("verschenen %(date)s") % {"date": day})
        out.append("</span>\n      ")
        pdf = edition.current_pdf
        if pdf:
            out.append(
                f'<a class="pdf-link" href="{shown(pdf.get_absolute_url(), context)}" type="application/pdf" download>'
                f'{pdf_word} <span class="meta">({shown(filesizeformat(pdf.size), context)})</span>'
                f'<span class="visually-hidden"> {name}</span></a>'
            )
        out.append("\n    </li>\n  ")
    out.append("\n  </ul>")
    return SafeString("".join(out))
