"""Open data: the figures of an edition as CSV, and as a zip with a README of sources and licence.

The contract of every exporter (``kib.exporters``)::

    exporter = OpenDataZipExporter(edition)            # or ObservationsCsvExporter(edition)
    filename, content_type, data = exporter.render()   # "kib-2024-open-data.zip", "application/zip", bytes
    exporter.response()                                # the download

Listed in ``kib.publication.registry`` and used from there by the admin (indicator list → "Open data"), the public site
(``indicators.views``) and ``manage.py export_opendata YEAR``. The
observations CSV has exactly the columns of the import template, so a downloaded file
can be corrected and imported again. An edition's observations are those of the
indicators of its themes, for periods that start no later than the end of its
reporting period. ``indicators=`` narrows them (the admin passes an editor's scope).
"""

import csv
import io
import zipfile

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from indicators.models import Indicator, Observation
from indicators.resources import ObservationResource, neutralise
from kib.choices import Territory
from kib.exporters import Exporter

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.nl"


def edition_observations(edition, indicators=None, public_only=None):
    """The observations of ``edition``'s themes up to its reporting period.

    For a published edition only what has been published (``Observation.objects.public()``):
    figures imported since, for the next edition, wait for that edition. A draft edition (the
    admin only) exports everything, so its editors can check what they typed.
    """
    if public_only is None:
        public_only = edition.is_published
    end_year = edition.reporting_period_end.year if edition.reporting_period_end else edition.year
    themes = edition.chapters.values("theme_id")
    qs = Observation.objects.filter(indicator__theme_id__in=themes, period__lt=str(end_year + 1))
    if public_only:
        qs = qs.public()
    if indicators is not None:
        qs = qs.filter(indicator__in=indicators)
    return qs.select_related("indicator").order_by("indicator__theme__number", "indicator__code", "period", "territory")


class OpenDataExporter(Exporter):
    """An export of an edition's figures; ``indicators=`` narrows them (an editor's scope)."""

    def __init__(self, edition, indicators=None):
        self.edition = edition
        # An editor's scope as a list of ids: nested inside the observation subqueries below, the
        # scoping query made PostgreSQL plan a SELECT that ran for over fifteen minutes.
        self.indicators = None if indicators is None else list(indicators.values_list("pk", flat=True))
        self.public_only = edition.is_published  # a published edition's open data: published numbers only

    @property
    def filename(self):
        return f"kib-{self.edition.year}-{self.identifier}.{self.extension}"

    def observations(self):
        return edition_observations(self.edition, self.indicators, self.public_only)

    def observations_csv(self):
        return observations_csv(self.observations(), as_published=self.public_only)


def observations_csv(queryset, as_published=False):
    """The observations in the import template's columns; ``as_published``: the values the public sees.

    Made from plain rows of the database (``csv_chunks``), rendered by the import resource's
    own widgets, so the file is byte for byte what ``ObservationResource.export`` writes (same
    columns, order, number format and neutralised text) without a model instance per observation.
    """
    return b"".join(csv_chunks(queryset, as_published))


CHUNK_ROWS = 1000


def csv_chunks(queryset, as_published=False):
    """``observations_csv`` as a stream of UTF-8 chunks (the first with a BOM, as Excel needs), ``CHUNK_ROWS`` rows each.

    Streams plain rows from the database (``values_list().iterator()``): memory stays the same
    however many observations there are, and a download starts before the last row is read.
    """
    value, flag, note = ("published_value", "published_flag", "published_note") if as_published else CONTENT
    resource = ObservationResource(indicators=Indicator.objects.all())
    fields = [resource.fields[name] for name in ObservationResource._meta.export_order]
    rows = (
        queryset.order_by(*Observation._meta.ordering)
        .values_list("indicator__code", "period", "territory", "sex", "age_group", "breakdown", value, flag, note)
        .iterator(chunk_size=2000)
    )
    renderers = [field.widget.render for field in fields[1:]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.column_name for field in fields])
    chunk = "\ufeff"
    for count, (code, *cells) in enumerate(rows, 1):
        writer.writerow([code, *(render(cell) for render, cell in zip(renderers, cells, strict=True))])
        if count % CHUNK_ROWS == 0:
            yield (chunk + buffer.getvalue()).encode("utf-8")
            chunk = ""
            buffer.seek(0)
            buffer.truncate()
    yield (chunk + buffer.getvalue()).encode("utf-8")


CONTENT = ("value", "flag", "note")


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(str(cell)) if isinstance(cell, str) else cell for cell in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


class ObservationsCsvExporter(OpenDataExporter):
    identifier = "waarnemingen"
    label = "Alle cijfers (CSV)"
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def render(self):
        return self.file(self.observations_csv())


class OpenDataZipExporter(OpenDataExporter):
    identifier = "open-data"
    label = "Open data: cijfers, indicatoren, bronnen en README (zip)"
    content_type = "application/zip"
    extension = "zip"

    def used_indicators(self):
        ids = set(self.observations().order_by().values_list("indicator_id", flat=True).distinct())
        return (
            Indicator.objects.filter(pk__in=ids)
            .select_related("theme")
            .prefetch_related("sources")
            .order_by("theme__number", "code")
        )

    def files(self):
        indicators = list(self.used_indicators())
        sources = {}
        for indicator in indicators:
            for source in indicator.sources.all():
                sources[source.pk] = source
        return {
            "README.txt": self.readme(indicators, sources.values()).encode("utf-8"),
            "waarnemingen.csv": self.observations_csv(),
            "indicatoren.csv": _csv(
                ["code", "naam", "eenheid", "thema", "definitie", "bronnen"],
                [
                    [
                        i.code,
                        i.name,
                        i.unit,
                        f"{i.theme.number}. {i.theme.title}",
                        i.definition,
                        " | ".join(s.url or s.title for s in i.sources.all()),
                    ]
                    for i in indicators
                ],
            ),
            "bronnen.csv": _csv(
                ["uitgever", "titel", "url", "gepubliceerd_op", "geraadpleegd_op"],
                [
                    [s.publisher, s.title, s.url or "", s.published_on or "", s.accessed_on or ""]
                    for s in sorted(sources.values(), key=lambda s: (s.publisher, s.title, s.url or ""))
                ],
            ),
        }

    def readme(self, indicators, sources):
        edition = self.edition
        period = edition.reporting_period_label
        lines = [
            f"{edition} — open data",
            "=" * 60,
            "",
            "Cijfers uit het jaarlijkse rapport van het Kinderrechtencollectief over de opvolging van de",
            "aanbevelingen van het VN-Kinderrechtencomité door Nederland.",
            f"Verslagperiode: {period}." if period else "",
            f"Aangemaakt op {timezone.localdate():%d-%m-%Y}.",
            "",
            "Licentie",
            "--------",
            f"{LICENCE} — Creative Commons Naamsvermelding 4.0 Internationaal ({LICENCE_URL}).",
            f"U mag de gegevens delen en bewerken, ook commercieel, met de vermelding: '{edition}, Kinderrechtencollectief'",
            "en de oorspronkelijke bron van het cijfer (zie bronnen.csv en indicatoren.csv).",
            "",
            "Bestanden (UTF-8, komma-gescheiden)",
            "-----------------------------------",
            "waarnemingen.csv  één rij per cijfer; dezelfde kolommen als het importsjabloon van KIB:",
            "  indicator       code van de indicator (zie indicatoren.csv)",
            "  periode         jaar (2023), schooljaar (2022-2023) of reeks jaren (2017-2021)",
            "  gebied          " + ", ".join(f"{code} = {label}" for code, label in Territory.choices),
            "  geslacht, leeftijdsgroep, uitsplitsing   leeg = totaal",
            "  waarde          getal met een punt als decimaalteken",
            "  vlag            leeg, 'voorlopig', 'schatting' of 'minder dan' (klein aantal: de waarde is een bovengrens)",
            "  toelichting     vrije tekst, bijv. de peildatum",
            "indicatoren.csv   code, naam, eenheid, thema, definitie en bronnen van elke indicator",
            "bronnen.csv       uitgever, titel, url en datums van de bronnen",
            "",
            f"Inhoud: {len(indicators)} indicatoren, {self.observations().count()} cijfers.",
            "",
            "Bronnen",
            "-------",
        ]
        for source in sorted(sources, key=lambda s: (s.publisher, s.title, s.url or "")):
            parts = [p for p in (source.publisher, source.title, source.url) if p]
            lines.append("- " + " — ".join(parts))
        lines.append("")
        return "\n".join(line for line in lines if line is not None)

    def render(self):
        buffer = io.BytesIO()
        stamp = (edition_date := self.edition.publication_date) and (
            edition_date.year,
            edition_date.month,
            edition_date.day,
            0,
            0,
            0,
        )
        folder = slugify(f"kib-{self.edition.year}-open-data")
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files().items():
                info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp or (2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return self.file(buffer.getvalue())


class IndicatorCsvExporter(Exporter):
    """One published indicator's public observations, in the import template's columns."""

    identifier = "indicator"
    label = "Cijfers van één indicator (CSV)"
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def __init__(self, indicator):
        self.indicator = indicator

    @property
    def filename(self):
        return f"kib-{self.indicator.code}.csv"

    def chunks(self):
        return csv_chunks(self.indicator.observations.public(), as_published=True)

    def render(self):
        return self.file(b"".join(self.chunks()))

    def response(self):
        """The download, streamed as the rows come from the database (``csv_chunks``)."""
        response = StreamingHttpResponse(self.chunks(), content_type=self.content_type)
        response["Content-Disposition"] = content_disposition_header(True, self.filename)
        return response
