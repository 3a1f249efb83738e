"""Template tags of the report templates (``templates/report/``), used by the PDF and the public site."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from indicators.charts import figure_svg
from themes.layout import ChapterLayout

register = template.Library()


@register.simple_tag
def chapter_layout(chapter):
    """The chapter's printed parts in order (see ``themes.layout``); computed once per chapter."""
    layout = getattr(chapter, "_report_layout", None)
    if layout is None:
        layout = chapter._report_layout = ChapterLayout(chapter)
    return layout


@register.simple_tag(takes_context=True)
def figure_chart(context, figure):
    """The figure's chart as inline SVG, or the 'no data entered' box while it has no data."""
    svg = figure_svg(figure)
    if svg:
        if context.get("for_print"):
            # WeasyPrint's SVG renderer does not resolve "inherit": name the report's typeface.
            svg = svg.replace('font-family="inherit"', 'font-family="Open Sans"', 1)
        return mark_safe(svg)  # noqa: S308 - SVG built by indicators.charts from numbers and escaped labels
    return render_to_string("report/no_data.html", {"figure": figure})
