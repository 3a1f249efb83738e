"""Numbers as the report prints them, and the change between two periods of a series.

``format_number(6351)`` gives ``"6.351"``, ``format_number(13.5)`` gives ``"13,5"``;
``change(indicator, "2019", "2023")`` compares two cells of one series. Used by the
template filters in ``indicators/templatetags/indicators.py``, the charts and the exports.
"""

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from indicators.models import Observation, period_sort_key

PERCENT_UNITS = {"%", "procent", "percentage"}


def to_decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value, decimals=None):
    """Dutch notation: thousands separated by a dot, decimals by a comma (1.234,5).

    ``decimals=None`` shows the decimals the value has (trailing zeros dropped, at most 3).
    Remembered per value and type (a chart and its table print the same numbers on every request).
    """
    try:
        return _format_number(value, decimals)
    except TypeError:  # a value that cannot be a key (unhashable): made anew
        return _format_number.__wrapped__(value, decimals)


@functools.lru_cache(maxsize=4096, typed=True)
def _format_number(value, decimals):
    number = to_decimal(value)
    if number is None:
        return ""
    if decimals is None:
        number = number.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize()
        decimals = max(0, -number.as_tuple().exponent)
    else:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):,.{decimals}f}"  # 1,234.5
    return sign + text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_signed(value, decimals=None):
    """Like ``format_number``, with a plus sign for increases: +1.969, -408."""
    number = to_decimal(value)
    if number is None:
        return ""
    text = format_number(number, decimals)
    return f"+{text}" if number > 0 else text


def is_percent_unit(unit):
    return (unit or "").strip().lower() in PERCENT_UNITS


def format_value(value, unit="", flag="", decimals=None):
    """A value as a chart or a table shows it: '6.351', '13,5%', '< 5', 'ca. 350', '838 v'."""
    text = format_number(value, decimals)
    if not text:
        return ""
    if is_percent_unit(unit):
        text += "%"
    if flag == Observation.Flag.SUPPRESSED:
        return f"< {text}"
    if flag == Observation.Flag.ESTIMATE:
        return _("ca. %(value)s") % {"value": text}
    if flag == Observation.Flag.PROVISIONAL:
        return _("%(value)s v") % {"value": text}
    return text


FLAG_NOTES = {
    Observation.Flag.PROVISIONAL: lambda: _("v = voorlopig cijfer"),
    Observation.Flag.ESTIMATE: lambda: _("ca. = schatting"),
    Observation.Flag.SUPPRESSED: lambda: _("< = klein aantal, alleen de bovengrens is bekend"),
}


def flag_notes(flags):
    """The legend lines for the flags that occur, in a fixed order."""
    return [FLAG_NOTES[flag]() for flag in FLAG_NOTES if flag in flags]


@dataclass(frozen=True)
class Change:
    """The change of one series between two periods."""

    period_from: str
    period_to: str
    value_from: Decimal
    value_to: Decimal
    unit: str = ""
    flag_from: str = ""
    flag_to: str = ""

    @property
    def absolute(self):
        return self.value_to - self.value_from

    @property
    def percent(self):
        """Per cent change; None when the first value is zero."""
        if not self.value_from:
            return None
        return (self.absolute / self.value_from * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def is_percent_unit(self):
        return is_percent_unit(self.unit)

    @property
    def is_exact(self):
        """False when one of the two values is an estimate or only an upper bound."""
        inexact = {Observation.Flag.ESTIMATE, Observation.Flag.SUPPRESSED}
        return self.flag_from not in inexact and self.flag_to not in inexact

    def absolute_display(self):
        text = format_signed(self.absolute)
        return _("%(value)s procentpunt") % {"value": text} if self.is_percent_unit else text

    def percent_display(self):
        if self.percent is None:
            return ""
        return format_signed(self.percent, 1) + "%"

    def __str__(self):
        """'+1.969 (+44,9%) van 2019 tot 2023' — the percent is left out for percentages."""
        parts = [self.absolute_display()]
        if not self.is_percent_unit and self.percent is not None:
            parts.append(f"({self.percent_display()})")
        parts.append(_("van %(from)s tot %(to)s") % {"from": self.period_from, "to": self.period_to})
        return " ".join(parts)


def series_cells(indicator, territory="NL", sex="", age_group="", breakdown=""):
    """{period: observation} of one series (one cell per period)."""
    qs = indicator.observations.filter(territory=territory, sex=sex, age_group=age_group, breakdown=breakdown)
    return {obs.period: obs for obs in qs}


def change(indicator, period_from=None, period_to=None, **filters):
    """The change between two periods of one series; None when a value is missing.

    Without periods, the oldest and the newest period with a value are compared.
    """
    cells = series_cells(indicator, **filters)
    if not cells:
        return None
    periods = sorted(cells, key=period_sort_key)
    period_from = period_from or periods[0]
    period_to = period_to or periods[-1]
    if period_from == period_to or period_from not in cells or period_to not in cells:
        return None
    first, last = cells[period_from], cells[period_to]
    return Change(
        period_from=period_from,
        period_to=period_to,
        value_from=first.value,
        value_to=last.value,
        unit=indicator.unit,
        flag_from=first.flag,
        flag_to=last.flag,
    )


def headline_change(chapter):
    """The change of the chapter's headline series, or None when it has none (or lacks data)."""
    from indicators.models import HeadlineSeries

    try:
        link = chapter.headline_series
    except HeadlineSeries.DoesNotExist:
        return None
    return change(link.indicator, link.period_from or None, link.period_to or None, **link.filters)
