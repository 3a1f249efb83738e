"""Template tags for the printed text of the report parts (``templates/report/``)."""

import re

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe

from indicators.chart_data import Series, figure_chart_data
from indicators.models import Chart
from indicators.stats import flag_notes, is_percent_unit
from kib.rendered import shown
from themes import notes

register = template.Library()


@register.simple_tag(takes_context=True)
def part_text(context, part, html):
    """A part's rich text; in the PDF with its footnotes after their calls (sources: ``section_sources``).

    On the web page the calls stand where the PDF has them, as links to the notes that
    ``part_notes`` prints below the part (``notes.place_calls``).
    """
    if not context.get("for_print"):
        return notes.place_calls(html, getattr(part, "printed_footnotes", ()))  # rich text sanitised on save
    placed = notes.place_notes(html, getattr(part, "printed_footnotes", ()))
    return mark_safe(notes.guard_hyphenated(placed))  # noqa: S308 - as above, notes escaped


def _notes(context, part):
    """Footnotes and cited sources of one part, below the part on the web page, each note linked back to its call
    in the text (``part_text``). In the PDF the footnotes float from their call and the sources are listed at the
    end of the section (``section_sources``).

    Written out here rather than in a template (it was ``report/notes.html``): included for every part of a
    chapter, it and ``report/block.html`` were about a fifth of the chapter page. Every value goes through
    ``kib.rendered.shown``, as ``{{ value }}`` would (localised, escaped).
    """
    for_print = context.get("for_print")
    footnotes = getattr(part, "printed_footnotes", None)
    sources = getattr(part, "printed_sources", None)
    if not (footnotes or (sources and not for_print)):
        return "\n\n"
    out = ['\n<p class="fn-holder">']
    for footnote in footnotes or ():
        marker = shown(footnote.marker, context)
        text = shown(footnote.text, context)
        if for_print:
            out.append(f'<span class="fn" data-marker="{marker}">{text}</span>')
            continue
        ident = shown(notes.note_id(footnote), context)
        out.append(f'<span class="fn" data-marker="{marker}" id="{ident}" role="doc-footnote">{text}')
        if getattr(footnote, "called", False):
            out.append(
                f' <a class="fn-back" href="#{ident}-tekst" role="doc-backlink" '
                f'aria-label="Terug naar de tekst bij voetnoot {marker}">↩</a>'
            )
        out.append("</span>")
    if sources and not for_print:
        out.append('<span class="fn sources">')
        for source in sources:
            if source.url:
                url = shown(source.url, context)
                out.append(f'<a href="{url}">{url}</a>')
            else:
                separator = ", " if source.publisher and source.title else ""
                out.append(
                    f'<span class="source-title">{shown(source.publisher, context)}{separator}'
                    f"{shown(source.title, context)}</span>"
                )
        out.append("</span>")
    out.append("</p>\n")
    return "".join(out)


@register.simple_tag(takes_context=True)
def part_notes(context, part):
    """The footnotes and sources of ``part`` below it (see ``_notes``)."""
    return SafeString(_notes(context, part))


@register.simple_tag(takes_context=True)
def part_block(context, block, level=5):
    """One titled item (a key-figure paragraph, a development, a latest development): its area, title with date,
    text, figure and notes. ``level`` is the heading level of its title (4 under a section, 5 under a group or
    subheading).

    Written out here rather than in a template (it was ``report/block.html``), for the reason ``_notes`` gives;
    the figure is still ``report/figure.html``, rendered in this context with ``figure`` set, as
    ``{% include %}`` would.
    """
    figure = getattr(block, "printed_figure", None)
    if not (block.title or block.body or figure):
        return SafeString("\n" + _notes(context, block) + "\n")
    territory = block.territory
    out = ['\n\n<div class="block']
    if territory != "NL":
        out.append(f" territory territory-{shown(str(territory).lower(), context)}")
    out.append('">\n  ')
    if territory != "NL":
        out.append(f'<p class="territory-label">{shown(block.get_territory_display(), context)}</p>')
    out.append("\n  ")
    if block.title:
        heading = shown(level or 5, context)
        out.append(f'<h{heading} class="block-title">{shown(block.title, context)}')
        day = getattr(block, "date", None)
        if day:
            out.append(f' <span class="block-date">({shown(date_filter(day, "F Y"), context)})</span>')
        out.append(f"</h{heading}>")
    out.append("\n  ")
    if block.body:
        out.append(f'<div class="block-text">{part_text(context, block, block.body)}</div>')
    out.append("\n  ")
    if figure:
        template = context.template.engine.get_template("report/figure.html")
        with context.push(figure=figure):
            out.append(template.render(context))
    out.append("\n  ")
    if not context.get("for_print") or not block.body:
        out.append(_notes(context, block))
    out.append("\n</div>\n\n")
    return SafeString("".join(out))


@register.filter
def source_label(source):
    """The short title of a cited source (see ``themes.notes.source_label``)."""
    return notes.source_label(source)


@register.filter
def note_id(footnote):
    """The id of a footnote on the web page (its call in the text links to it, see ``notes.place_calls``)."""
    return notes.note_id(footnote)


@register.filter
def print_words(html):
    """Rich text for print with hyphenated words kept from further hyphenation."""
    return mark_safe(notes.guard_hyphenated(str(html)))  # noqa: S308 - sanitised rich text


_SVG_TITLE = re.compile(r"<title( id=\"[^\"]*\")?>(.*?)</title>", re.S)
_SVG_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", re.S)


@register.filter
def chart_alt(svg, figure):
    """The chart's SVG with its full text alternative in ``<title>``: WeasyPrint makes the PDF's Alt from it.

    Alt = "Figuur 3. <title>. <every number of the chart>", so a screen reader of the PDF gets the numbers.
    """
    svg = str(svg)
    if not svg.startswith("<svg"):
        return mark_safe(svg)  # noqa: S308 - the "no data" box
    desc = _SVG_DESC.search(svg)
    numbers = desc.group(1) if desc else ""

    def title(match):
        text = f"Figuur {figure.number}. {match.group(2).rstrip('.')}. {numbers}".strip()
        return f"<title{match.group(1) or ''}>{text}</title>"

    return mark_safe(_SVG_TITLE.sub(title, svg, count=1))  # noqa: S308 - escaped text of the SVG moved around


@register.simple_tag
def figure_print_table(figure):
    """The numbers of a figure whose chart is a table, for a real (tagged) table in the PDF; else None."""
    data = figure_chart_data(figure)
    if data is None or data.kind != Chart.Kind.TABLE:
        return None
    if data.by_period:
        columns = list(data.categories)
        rows = [
            (s.label or data.title, [data.fmt(s.cells[c], s) if c in s.cells else "–" for c in columns])
            for s in data.series
        ]
    else:
        (only,) = data.series
        columns = [only.label]
        rows = [
            (category, [data.fmt(only.cells[category], Series("", unit=data.row_units.get(category, "")))])
            for category in data.categories
        ]
    notes = flag_notes(data.flags)
    if data.unit and not is_percent_unit(data.unit):
        notes.insert(0, f"Eenheid: {data.unit}")
    return {"columns": columns, "rows": rows, "notes": notes}


@register.simple_tag
def place_loose_footnotes(layout):
    """Footnotes attached to no part go to the part whose text holds their call (see notes), in the PDF and on the web."""
    if layout.loose_footnotes:
        parts = [*layout.definitions, *layout.key_figures, *layout.recommendations, *layout.latest_developments]
        for _kind, groups in layout.development_sections:
            for group in groups:
                parts.extend(group.printed_items)
        layout.loose_footnotes = notes.attach_loose_footnotes(layout.loose_footnotes, parts)
    return ""


def _section_parts(layout, kind):
    if kind == "opening":
        return list(layout.definitions)
    if kind == "key_figures":
        blocks = list(layout.key_figures)
        return blocks + [b.printed_figure for b in blocks if b.printed_figure] + list(layout.unplaced_figures)
    if kind == "latest":
        blocks = list(layout.latest_developments)
        return blocks + [b.printed_figure for b in blocks if b.printed_figure]
    groups = dict(layout.development_sections)[kind]
    items = [item for group in groups for item in group.printed_items]
    return items + [item.printed_figure for item in items if getattr(item, "printed_figure", None)]


@register.inclusion_tag("report/section_sources.html", takes_context=True)
def section_sources(context, layout, kind):
    """In the PDF: the sources cited in one section, once each, as short linked titles at its end."""
    if not context.get("for_print"):
        return {"sources": []}
    sources, seen = [], set()
    for part in _section_parts(layout, kind):
        for source in getattr(part, "printed_sources", ()):
            if source.pk not in seen:
                seen.add(source.pk)
                sources.append(source)
    return {"sources": sources, "links": notes.sources_html(sources, css_class="section-sources-list")}
