"""Reading an observation spreadsheet safely, before any row is looked at.

``read_table(data, "csv" | "xlsx")`` turns the uploaded bytes into a ``tablib.Dataset``
with the Dutch column names as headers, or raises ``ImportFileError`` with a message an
editor understands: wrong encoding, an empty file, only a header, an unknown or missing
column, a damaged Excel file, a file that is too large. CSV must be UTF-8 (with or
without BOM); the separator may be a comma, a semicolon (Dutch Excel) or a tab.
XLSX is read with openpyxl, which parses its XML through defusedxml (checked at start-up
in ``IndicatorsConfig.ready``); the unpacked size is capped too, against zip bombs.
"""

import codecs
import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str


COLUMNS = [
    Column(
        "indicator",
        True,
        gettext_lazy("De code van de indicator (zie het tabblad 'indicatoren')."),
        "kinderen-op-de-wachtlijst-voor-pleegzorg-31-december",
    ),
    Column(
        "periode",
        True,
        gettext_lazy("Een jaar (2023), een schooljaar (2022-2023) of een reeks jaren (2017-2021)."),
        "2024",
    ),
    Column(
        "gebied",
        False,
        gettext_lazy(
            "NL (Europees Nederland, ook als leeg), CN (Caribisch Nederland), BON, STA of SAB — of de naam voluit."
        ),
        "NL",
    ),
    Column("geslacht", False, gettext_lazy("Leeg = totaal; anders bijv. 'jongens' of 'meisjes'."), ""),
    Column("leeftijdsgroep", False, gettext_lazy("Leeg = totaal; anders bijv. '12-17 jaar'."), ""),
    Column("uitsplitsing", False, gettext_lazy("Andere uitsplitsing; leeg = totaal."), ""),
    Column(
        "waarde",
        True,
        gettext_lazy(
            "Het getal, zonder punt voor duizendtallen; decimalen met komma of punt (13,5). '< 5' betekent: minder dan 5."
        ),
        "840",
    ),
    Column(
        "vlag",
        False,
        gettext_lazy("Leeg, 'voorlopig', 'schatting' of 'minder dan' (klein aantal: alleen de bovengrens is bekend)."),
        "voorlopig",
    ),
    Column("toelichting", False, gettext_lazy("Vrije tekst, bijv. de peildatum."), "peildatum 31 december"),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED = [c.name for c in COLUMNS if c.required]
FORMATS = ("csv", "xlsx")
DATA_SHEET = "waarnemingen"


class ImportFileError(Exception):
    """The file cannot be read as an observation table; ``message`` says why, in Dutch."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_bytes():
    return settings.KIB_IMPORT_MAX_BYTES


def max_rows():
    return settings.KIB_IMPORT_MAX_ROWS


def check_size(size):
    if size > max_bytes():
        raise ImportFileError(
            _("Het bestand is %(size)s; de grens is %(max)s. Splits het bestand op en importeer de delen na elkaar.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes())}
        )


def read_table(data, file_format):
    """Bytes of a CSV or XLSX file -> Dataset with checked headers and string cells."""
    if file_format not in FORMATS:
        raise ImportFileError(_("Onbekend bestandsformaat '%(format)s'; kies csv of xlsx.") % {"format": file_format})
    check_size(len(data))
    if not data.strip():
        raise ImportFileError(_("Het bestand is leeg."))
    rows = _csv_rows(data) if file_format == "csv" else _xlsx_rows(data)
    return _dataset(rows)


# -- CSV ----------------------------------------------------------------------


def decode(data):
    """UTF-8, with or without BOM; anything else is refused with advice."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            _(
                "Het bestand is opgeslagen als UTF-16 (Unicode-tekst). Sla het op als 'CSV UTF-8 (door komma's gescheiden)'."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("Dit is een Excel-bestand, geen CSV. Kies bij 'Formaat' xlsx."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            _(
                "Het bestand is niet opgeslagen als UTF-8 (regel %(line)s bevat een teken dat in UTF-8 niet bestaat; "
                "waarschijnlijk is het opgeslagen als 'CSV (gescheiden door lijstscheidingsteken)' of in Windows-1252). "
                "Kies in Excel 'Opslaan als' → 'CSV UTF-8 (door komma's gescheiden)', of importeer het .xlsx-bestand."
            )
            % {"line": line}
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("Het bestand bevat binaire gegevens en is geen tekstbestand (CSV)."))
    return text


def _csv_rows(data):
    text = decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ImportFileError(_("Het CSV-bestand is niet goed opgebouwd: %(error)s.") % {"error": exc}) from None


# -- XLSX ---------------------------------------------------------------------


def _xlsx_rows(data):
    import openpyxl
    from defusedxml import DefusedXmlException

    buffer = io.BytesIO(data)
    damaged = _(
        "Het Excel-bestand is beschadigd of onvolledig en kan niet worden gelezen. Sla het opnieuw op als .xlsx."
    )
    if not zipfile.is_zipfile(buffer):
        if not data.startswith(b"PK") and _looks_like_text(data):
            raise ImportFileError(_("Dit is geen Excel-bestand maar tekst (CSV). Kies bij 'Formaat' csv."))
        raise ImportFileError(damaged)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > 20 * max_bytes():
                raise ImportFileError(_("Het Excel-bestand is uitgepakt te groot om te importeren."))
            if archive.testzip() is not None:
                raise ImportFileError(damaged)
        buffer.seek(0)
        book = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
        sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged file, and wraps defusedxml's refusals
        if _caused_by(exc, DefusedXmlException):
            raise ImportFileError(
                _("Het Excel-bestand bevat niet-toegestane XML-constructies en wordt niet gelezen.")
            ) from None
        raise ImportFileError(damaged) from None
    return rows


def _caused_by(exc, kind):
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _looks_like_text(data):
    try:
        data[:4096].decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data[:4096]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


# -- both ---------------------------------------------------------------------


def _dataset(rows):
    rows = [[str(cell).strip() for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise ImportFileError(_("Het bestand is leeg."))
    header = [name.lower().lstrip("\ufeff").strip() for name in rows[0]]
    while header and not header[-1]:
        header.pop()
    _check_header(header)
    body = []
    width = len(header)
    for number, row in enumerate(rows[1:], start=2):
        extra = [cell for cell in row[width:] if cell]
        if extra:
            raise ImportFileError(
                _("Rij %(row)s heeft meer cellen dan er kolommen in de kopregel staan (%(value)s).")
                % {"row": number, "value": extra[0]}
            )
        body.append((row + [""] * width)[:width])
    if not body:
        raise ImportFileError(_("Het bestand bevat alleen de kopregel en geen cijfers."))
    if len(body) > max_rows():
        raise ImportFileError(
            _("Het bestand heeft %(rows)s rijen; de grens is %(max)s.") % {"rows": len(body), "max": max_rows()}
        )
    return tablib.Dataset(*body, headers=header)


def _check_header(header):
    known = ", ".join(COLUMN_NAMES)
    if not any(header):
        raise ImportFileError(_("De eerste rij moet de kolomnamen bevatten: %(known)s.") % {"known": known})
    for position, name in enumerate(header, start=1):
        if not name:
            raise ImportFileError(_("Kolom %(number)s heeft geen naam in de kopregel.") % {"number": position})
    unknown = [name for name in header if name not in COLUMN_NAMES]
    if unknown:
        raise ImportFileError(
            _("Onbekende kolom '%(name)s'. Toegestane kolommen: %(known)s.") % {"name": unknown[0], "known": known}
        )
    doubles = sorted({name for name in header if header.count(name) > 1})
    if doubles:
        raise ImportFileError(_("De kolom '%(name)s' staat twee keer in de kopregel.") % {"name": doubles[0]})
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            _("De verplichte kolom '%(name)s' ontbreekt. Verplicht zijn: %(required)s.")
            % {"name": missing[0], "required": ", ".join(REQUIRED)}
        )


# -- the template -------------------------------------------------------------


def template_bytes(file_format, indicators):
    """The empty import template, with the columns explained and the user's indicators listed."""
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(COLUMN_NAMES)
        return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(COLUMN_NAMES)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", [48, 12, 10, 12, 16, 28, 12, 14, 40], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet["B2"].number_format = "@"  # periods such as 2022-2023 stay text

    guide = book.create_sheet(_("uitleg"))
    guide.append([_("kolom"), _("verplicht"), _("uitleg"), _("voorbeeld")])
    for column in COLUMNS:
        guide.append([column.name, _("ja") if column.required else _("nee"), str(column.help), column.example])
    guide.append([])
    guide.append(
        [
            _(
                "Eén rij per cijfer. De combinatie indicator, periode, gebied, geslacht, leeftijdsgroep en "
                "uitsplitsing mag maar één keer voorkomen. Na het uploaden ziet u eerst een voorbeeld; pas na "
                "'Import bevestigen' wordt er iets opgeslagen, en alleen als elke rij klopt."
            )
        ]
    )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 40

    listing = book.create_sheet(_("indicatoren"))
    listing.append([_("code"), _("naam"), _("eenheid"), _("thema")])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for indicator in indicators.select_related("theme"):
        listing.append([indicator.code, indicator.name, indicator.unit, str(indicator.theme)])
    listing.column_dimensions["A"].width = 60
    listing.column_dimensions["B"].width = 80
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- formats for django-import-export ------------------------------------------


def _formats():
    from import_export.formats import base_formats

    class CSV(base_formats.CSV):
        """CSV read by ``read_table`` (bytes in, so the encoding check is ours); written as UTF-8 with BOM."""

        def is_binary(self):
            return True

        def get_read_mode(self):
            return "rb"

        def create_dataset(self, in_stream, **kwargs):
            return read_table(in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8"), "csv")

        def export_data(self, dataset, **kwargs):
            return codecs.BOM_UTF8 + dataset.export("csv", lineterminator="\r\n").encode("utf-8")

    class XLSX(base_formats.XLSX):
        def create_dataset(self, in_stream):
            return read_table(in_stream, "xlsx")

    return [CSV, XLSX]


IMPORT_FORMATS = _formats()
