"""Demo: link the series of a theme file to the chapter's figures and headline (called by ``kib.demo.loader``).

A series entry names a figure number, "headline", or nothing. Figure entries become the
figure's chart (one ``FigureSeries`` per indicator); the chart type follows from the data
(a line for four or more years, otherwise bars; the chart falls back to a table when the
units differ). The headline series is the "headline" entry, or else the series whose two
printed headline values it holds. Figures without numbers in the seed stay without a chart
and are listed by ``indicators.services.figures_without_data``.
"""

from decimal import Decimal

from indicators.models import SPLIT, Chart, FigureSeries, HeadlineSeries

FILTER_FIELDS = ("territory", "sex", "age_group", "breakdown")


def _filters(observations):
    """Fixed value per field when all observations share it, else SPLIT (one series per value)."""
    result = {}
    for name in FILTER_FIELDS:
        values = {getattr(obs, name) for obs in observations}
        result[name] = values.pop() if len(values) == 1 else SPLIT
    return result


def _plain(text):
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def link_series(chapter, entries, report=None):
    """``entries``: (figure key from the data file, Indicator) pairs in file order. Safe to rerun."""
    figures = {figure.number: figure for figure in chapter.figures.all()}
    by_figure = {}
    for key, indicator in entries:
        by_figure.setdefault(key, []).append(indicator)
    drawn = {key for key in by_figure if isinstance(key, int)}
    for indicator in by_figure.get("headline", []):
        # The headline's own figure ("Aantal jongeren in residentiële jeugdhulp**") draws the headline series.
        for number, figure in figures.items():
            if number not in drawn and _plain(indicator.name) in _plain(figure.title):
                by_figure.setdefault(number, []).append(indicator)
                drawn.add(number)
    for number, indicators in by_figure.items():
        figure = figures.get(number) if isinstance(number, int) else None
        if figure is None:
            continue
        observations = {indicator.pk: list(indicator.observations.all()) for indicator in indicators}
        long_series = any(
            len({o.period for o in obs}) >= 4 and all(v != SPLIT for v in _filters(obs).values())
            for obs in observations.values()
        )
        chart, created = Chart.objects.get_or_create(
            figure=figure, defaults={"kind": Chart.Kind.LINE if long_series else Chart.Kind.BAR}
        )
        if report is not None:
            report.add("grafieken", created)
        if not created:
            continue
        for position, indicator in enumerate(indicators):
            if observations[indicator.pk]:
                FigureSeries.objects.create(
                    chart=chart, indicator=indicator, position=position, **_filters(observations[indicator.pk])
                )
    _link_headline(chapter, by_figure, report)


def _link_headline(chapter, by_figure, report):
    if (
        chapter.headline_kind != chapter.HeadlineKind.TWO_PERIODS
        or HeadlineSeries.objects.filter(chapter=chapter).exists()
    ):
        return
    printed = {value.label: value.value for value in chapter.headline_values.all()}
    candidates = by_figure.get("headline", []) + [
        i for key, group in by_figure.items() if key != "headline" for i in group
    ]
    for indicator in candidates:
        cells = {
            obs.period: obs.value
            for obs in indicator.observations.all()
            if obs.territory == "NL" and not (obs.sex or obs.age_group or obs.breakdown)
        }
        if len(printed) == 2 and all(v is not None and cells.get(p) == Decimal(v) for p, v in printed.items()):
            first, last = sorted(printed)
            HeadlineSeries.objects.create(chapter=chapter, indicator=indicator, period_from=first, period_to=last)
            if report is not None:
                report.add("kerncijferreeksen", True)
            return
