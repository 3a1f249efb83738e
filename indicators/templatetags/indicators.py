"""Numbers and charts in templates (web, PDF, admin): ``{% load indicators %}``.

{{ 6351|nl_number }}                      6.351
{{ 13.456|nl_number:1 }}                  13,5
{{ observation|nl_value }}                '< 5', 'ca. 350', '838 v', '13,5%'
{% headline_change chapter as change %}   Change or None: {{ change }} -> '+1.969 (+44,9%) van 2019 tot 2023'
{% indicator_change indicator "2019" "2023" territory="NL" as change %}
{{ change.absolute|nl_signed }} {{ change.percent_display }}
{% chart_svg figure %}                    the figure's SVG, or nothing
{{ result|import_errors }}                the lines of an import result's problems
"""

from django import template

from indicators import charts, stats
from indicators.resources import error_lines

register = template.Library()


@register.filter
def nl_number(value, decimals=None):
    return stats.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def nl_signed(value, decimals=None):
    return stats.format_signed(value, None if decimals in (None, "") else int(decimals))


@register.filter
def nl_value(observation):
    """An observation as printed, with its flag: '< 5', 'ca. 350', '838 v'."""
    return stats.format_value(observation.value, observation.indicator.unit, observation.flag)


@register.simple_tag
def headline_change(chapter):
    return stats.headline_change(chapter)


@register.simple_tag
def indicator_change(indicator, period_from=None, period_to=None, territory="NL", sex="", age_group="", breakdown=""):
    return stats.change(
        indicator, period_from, period_to, territory=territory, sex=sex, age_group=age_group, breakdown=breakdown
    )


@register.simple_tag
def chart_svg(figure):
    return charts.figure_svg(figure) or ""


@register.filter
def import_errors(result):
    return error_lines(result)
