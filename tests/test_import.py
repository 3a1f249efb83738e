"""Importing observation spreadsheets: every bad file is refused with a clear message and changes nothing."""

import codecs
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from indicators.importing import ImportFileError, read_table, template_bytes
from indicators.models import ImportLog, Indicator, Observation
from indicators.resources import ObservationResource, error_lines
from kib.models import Edition
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "indicator,periode,gebied,geslacht,leeftijdsgroep,uitsplitsing,waarde,vlag,toelichting\r\n"
IMPORT_URL = reverse("admin:indicators_observation_import")
CONFIRM_URL = reverse("admin:indicators_observation_process_import")


@pytest.fixture
def world():
    """An edition in preparation: UNICEF leads theme 1 (foster care), Defence for Children theme 2."""
    unicef = f.organisation("UNICEF Nederland", kind="core")
    defence = f.organisation("Defence for Children", kind="core")
    collective = f.organisation("Kinderrechtencollectief", kind="collective")
    edition = f.edition(2025, state=Edition.State.PREPARATION)
    foster, justice = f.theme(1), f.theme(2)
    f.chapter(edition=edition, theme=foster, lead_organisation=unicef)
    f.chapter(edition=edition, theme=justice, lead_organisation=defence)
    waiting = f.indicator(foster, code="wachtlijst-pleegzorg", name="Kinderen op de wachtlijst voor pleegzorg")
    f.observation(waiting, "2022", "790")
    f.observation(waiting, "2023", "838", note="peildatum 31 december")
    detention = f.indicator(justice, code="jeugdinrichting", name="Minderjarigen in een justitiële jeugdinrichting")
    f.observation(detention, "2023", "913")

    class World:
        pass

    w = World()
    w.edition, w.waiting, w.detention = edition, waiting, detention
    w.unicef_editor = f.user_with_role("redacteur", organisation=unicef, username="redacteur-unicef")
    w.defence_editor = f.user_with_role("redacteur", organisation=defence, username="redacteur-defence")
    w.coordinator = f.user_with_role("coördinator", organisation=collective, username="coordinator")
    return w


def snapshot():
    rows = list(
        Observation.objects.order_by("pk").values_list(
            "pk", "indicator_id", "period", "territory", "sex", "age_group", "breakdown", "value", "flag", "note"
        )
    )
    return rows, Observation.history.count(), ImportLog.objects.count(), Indicator.objects.count()


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return (header + "".join(row + "\r\n" for row in rows)).encode(encoding)


def xlsx_bytes(rows, header=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "waarnemingen"
    sheet.append(header or HEADER.strip().split(","))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(data, user, file_format="csv", dry_run=False, allow_updates=False):
    dataset = read_table(data, file_format)
    resource = ObservationResource(user=user, allow_updates=allow_updates)
    return resource.import_data(dataset, dry_run=dry_run, file_name=f"cijfers.{file_format}")


def preview(client, user, data, file_format="csv", name=None, allow_updates=False):
    client.force_login(user)
    upload = SimpleUploadedFile(name or f"cijfers.{file_format}", data)
    fmt = "0" if file_format == "csv" else "1"
    post = {"import_file": upload, "format": fmt, "resource": "0"}
    if allow_updates:
        post["allow_updates"] = "on"
    return client.post(IMPORT_URL, post)


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    return client.post(CONFIRM_URL, data)


# -- the good path ----------------------------------------------------------------


def test_editor_sees_preview_then_confirms_and_the_numbers_are_saved(client, world):
    data = csv_bytes(
        "wachtlijst-pleegzorg,2024,NL,,,,840,voorlopig,peildatum 31 december",
        "wachtlijst-pleegzorg,2023,NL,,,,838,,peildatum 31 december",
    )
    before = snapshot()
    response = preview(client, world.unicef_editor, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Voorbeeld" in content and "1 nieuw, 0 gewijzigd, 1 ongewijzigd" in content
    assert "Nieuw" in content and "Ongewijzigd" in content
    assert snapshot() == before  # the preview saves nothing

    response = confirm(client, response)
    assert response.status_code == 302
    new = Observation.objects.get(indicator=world.waiting, period="2024")
    assert new.value == Decimal("840") and new.flag == Observation.Flag.PROVISIONAL
    assert new.history.first().history_user == world.unicef_editor
    log = ImportLog.objects.get()
    assert (log.user, log.new, log.unchanged, log.file_name) == (world.unicef_editor, 1, 1, "cijfers.csv")
    assert list(log.indicators.all()) == [world.waiting]


def test_xlsx_with_numbers_as_numbers_imports(world):
    data = xlsx_bytes([["wachtlijst-pleegzorg", 2024, "NL", None, None, None, 840.5, None, None]])
    result = run_import(data, world.unicef_editor, "xlsx")
    assert not result.has_validation_errors() and not result.has_errors()
    assert Observation.objects.get(indicator=world.waiting, period="2024").value == Decimal("840.5")


@pytest.mark.parametrize(
    "raw, value, flag",
    [("< 5", "5", "suppressed"), ("13,5", "13.5", ""), ("1234.25", "1234.25", ""), ("12%", "12", "")],
)
def test_dutch_ways_of_writing_a_value_are_understood(world, raw, value, flag):
    result = run_import(csv_bytes(f'wachtlijst-pleegzorg,2024,NL,,,,"{raw}",,'), world.unicef_editor)
    assert not (result.has_validation_errors() or result.has_errors()), error_lines(result)
    obs = Observation.objects.get(indicator=world.waiting, period="2024")
    assert (obs.value, obs.flag) == (Decimal(value), flag)


def test_semicolon_csv_from_dutch_excel_and_school_year_notation(world):
    data = b"indicator;periode;waarde\r\nwachtlijst-pleegzorg;2023/24;12,5\r\n"
    result = run_import(data, world.unicef_editor)
    assert not (result.has_validation_errors() or result.has_errors()), error_lines(result)
    assert Observation.objects.get(indicator=world.waiting, period="2023-2024").value == Decimal("12.5")


def test_utf8_with_bom_is_accepted(world):
    data = codecs.BOM_UTF8 + csv_bytes("wachtlijst-pleegzorg,2024,NL,,,,840,,één peildatum")
    result = run_import(data, world.unicef_editor)
    assert not (result.has_validation_errors() or result.has_errors()), error_lines(result)
    assert Observation.objects.get(indicator=world.waiting, period="2024").note == "één peildatum"


def test_changing_an_existing_number_needs_the_explicit_choice(client, world):
    data = csv_bytes("wachtlijst-pleegzorg,2023,NL,,,,840,,peildatum 31 december")
    response = preview(client, world.unicef_editor, data, allow_updates=True)
    assert "0 nieuw, 1 gewijzigd, 0 ongewijzigd" in response.content.decode()
    assert "was 838" in response.content.decode()
    confirm(client, response)
    assert Observation.objects.get(indicator=world.waiting, period="2023").value == Decimal("840")
    assert ImportLog.objects.get().updated == 1


def test_coordinator_may_import_for_every_organisation(world):
    data = csv_bytes("wachtlijst-pleegzorg,2024,NL,,,,1,,", "jeugdinrichting,2024,NL,,,,2,,")
    result = run_import(data, world.coordinator)
    assert result.totals["new"] == 2


# -- every bad file: a clear message, nothing changed ------------------------------------------


def assert_refused_in_preview(client, user, data, message, file_format="csv"):
    response = preview(client, user, data, file_format)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content, content[content.find("errorlist") - 200 : content.find("errorlist") + 800]
    assert "confirm_form" not in response.context or not response.context["confirm_form"]
    return content


BAD_FILES = [
    pytest.param(
        "wrong encoding",
        csv_bytes("wachtlijst-pleegzorg,2024,NL,,,,840,,één peildatum", encoding="cp1252"),
        "niet opgeslagen als UTF-8",
        id="wrong-encoding",
    ),
    pytest.param("empty", b"", "bestand is leeg", id="empty"),
    pytest.param("blank lines", b"\r\n\r\n  \r\n", "Het bestand is leeg", id="only-blank-lines"),
    pytest.param("header only", HEADER.encode(), "alleen de kopregel", id="header-only"),
    pytest.param(
        "unknown column",
        csv_bytes("wachtlijst-pleegzorg,2024,840", header="indicator,periode,aantal\r\n"),
        "Onbekende kolom &#x27;aantal&#x27;",
        id="unknown-column",
    ),
    pytest.param(
        "missing column",
        csv_bytes("wachtlijst-pleegzorg,840", header="indicator,waarde\r\n"),
        "De verplichte kolom &#x27;periode&#x27; ontbreekt",
        id="missing-required-column",
    ),
    pytest.param(
        "utf-16",
        codecs.BOM_UTF16_LE + HEADER.encode("utf-16-le"),
        "UTF-16",
        id="utf-16",
    ),
]


@pytest.mark.parametrize("label, data, message", BAD_FILES)
def test_unreadable_file_is_refused_with_a_clear_message(client, world, label, data, message):
    before = snapshot()
    assert_refused_in_preview(client, world.unicef_editor, data, message)
    with pytest.raises(ImportFileError):
        run_import(data, world.unicef_editor)
    assert snapshot() == before


ROW_ERRORS = [
    pytest.param(
        "wachtlijst-pleegzorg,2024,NL,,,,twaalf,,",
        "Rij 3, kolom &#x27;waarde&#x27;: &#x27;twaalf&#x27; is geen getal.",
        id="non-numeric",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,23/24,NL,,,,12,,",
        "Rij 3, kolom &#x27;periode&#x27;: &#x27;23/24&#x27; is geen jaar (2023)",
        id="unknown-period-format",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2023,,,,,900,,peildatum 31 december",
        "Rij 3: voor wachtlijst-pleegzorg, 2023 staat al de waarde 838; dit bestand geeft 900.",
        id="conflict-with-gebied-left-empty",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2024-2023,NL,,,,12,,",
        "Rij 3, kolom &#x27;periode&#x27;: Periode &#x27;2024-2023&#x27; moet eindigen na het beginjaar.",
        id="period-ending-before-it-starts",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2025,NL,,,,12,,",
        "Rij 3: dezelfde indicator, periode, gebied, geslacht, leeftijdsgroep en uitsplitsing staan al in rij 2",
        id="same-row-twice",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2023,NL,,,,900,,peildatum 31 december",
        "Rij 3: voor wachtlijst-pleegzorg, 2023 staat al de waarde 838; dit bestand geeft 900.",
        id="conflict-with-existing-observation",
    ),
    pytest.param(
        "jeugdinrichting,2024,NL,,,,950,,",
        "Rij 3, kolom &#x27;indicator&#x27;: de indicator &#x27;jeugdinrichting&#x27; hoort niet bij een hoofdstuk van "
        "uw organisatie",
        id="another-organisations-indicator",
    ),
    pytest.param(
        "bestaat-niet,2024,NL,,,,950,,",
        "Rij 3, kolom &#x27;indicator&#x27;: onbekende indicator &#x27;bestaat-niet&#x27;",
        id="unknown-indicator",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2024,Curaçao,,,,950,,",
        "Rij 3, kolom &#x27;gebied&#x27;: onbekend gebied &#x27;Curaçao&#x27;",
        id="unknown-territory",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2024,NL,,,,950,misschien,",
        "Rij 3, kolom &#x27;vlag&#x27;: onbekende vlag &#x27;misschien&#x27;",
        id="unknown-flag",
    ),
    pytest.param(
        'wachtlijst-pleegzorg,2024,NL,,,,"1.234,5",,',
        "Rij 3, kolom &#x27;waarde&#x27;: &#x27;1.234,5&#x27;: gebruik geen scheidingsteken voor duizendtallen",
        id="thousands-separator",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2024,NL,,,,1234,,,extra",
        "Rij 3 heeft meer cellen dan er kolommen in de kopregel staan (extra).",
        id="more-cells-than-columns",
    ),
    pytest.param(
        "wachtlijst-pleegzorg,2024,NL,,,,12.3456,,",
        "Rij 3, kolom &#x27;waarde&#x27;:",
        id="too-many-decimals",
    ),
]


@pytest.mark.parametrize("bad_row, message", ROW_ERRORS)
def test_a_bad_row_stops_the_whole_import(client, world, bad_row, message):
    """The first row is fine; the second is not: nothing of the file is saved, also not when confirmed."""
    data = csv_bytes("wachtlijst-pleegzorg,2025,NL,,,,850,,", bad_row)
    before = snapshot()
    assert_refused_in_preview(client, world.unicef_editor, data, message)
    try:
        result = run_import(data, world.unicef_editor)  # what the confirm step runs
    except ImportFileError:
        pass
    else:
        assert result.has_validation_errors() or result.has_errors()
    assert snapshot() == before


def test_truncated_xlsx_is_refused(client, world):
    data = xlsx_bytes([["wachtlijst-pleegzorg", 2024, "NL", None, None, None, 840, None, None]])
    before = snapshot()
    assert_refused_in_preview(
        client, world.unicef_editor, data[: len(data) // 2], "Het Excel-bestand is beschadigd of onvolledig", "xlsx"
    )
    assert snapshot() == before


def test_csv_chosen_as_xlsx_gets_a_hint(client, world):
    data = csv_bytes("wachtlijst-pleegzorg,2024,NL,,,,840,,")
    assert_refused_in_preview(client, world.unicef_editor, data, "Kies bij &#x27;Formaat&#x27; csv", "xlsx")


def test_xlsx_with_entity_expansion_is_refused(world):
    """A 'billion laughs' worksheet: openpyxl parses through defusedxml, which refuses entities."""
    import zipfile

    good = xlsx_bytes([["wachtlijst-pleegzorg", 2024, "NL", None, None, None, 840, None, None]])
    source, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                laughs = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = laughs + data.replace(b"<t>wachtlijst-pleegzorg</t>", b"<t>&b;</t>")
            target.writestr(item, data)
    before = snapshot()
    with pytest.raises(ImportFileError) as excinfo:
        run_import(out.getvalue(), world.unicef_editor, "xlsx")
    assert "niet-toegestane XML" in excinfo.value.message
    assert snapshot() == before


@override_settings(KIB_IMPORT_MAX_BYTES=2000)
def test_oversized_file_is_refused_before_it_is_read(client, world):
    data = csv_bytes(*[f"wachtlijst-pleegzorg,{1900 + i},NL,,,,{i},," for i in range(100)])
    assert len(data) > 2000
    before = snapshot()
    assert_refused_in_preview(client, world.unicef_editor, data, "de grens is 2,0")
    with pytest.raises(ImportFileError):
        run_import(data, world.unicef_editor)
    assert snapshot() == before


def test_stale_confirmation_saves_nothing(client, world):
    """Between preview and confirm a colleague enters the same number: the confirm step refuses all of it."""
    data = csv_bytes("wachtlijst-pleegzorg,2025,NL,,,,850,,", "wachtlijst-pleegzorg,2026,NL,,,,860,,")
    response = preview(client, world.unicef_editor, data)
    f.observation(world.waiting, "2026", "999")
    before = snapshot()
    response = confirm(client, response)
    assert response.status_code == 302 and response.url == IMPORT_URL
    assert snapshot() == before
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("niets opgeslagen" in m for m in messages)


def test_a_file_with_only_the_required_columns_finds_existing_numbers(world):
    data = b"indicator,periode,waarde\r\nwachtlijst-pleegzorg,2023,838\r\nwachtlijst-pleegzorg,2022,791\r\n"
    lines = error_lines(run_import(data, world.unicef_editor))
    assert lines == [
        "Rij 3: voor wachtlijst-pleegzorg, 2022 staat al de waarde 790; dit bestand geeft 791. "
        "Vink 'Bestaande waarden bijwerken' aan als u de bestaande waarde wilt vervangen."
    ]
    result = run_import(data, world.unicef_editor, allow_updates=True)
    assert (result.totals["skip"], result.totals["update"], result.totals["new"]) == (1, 1, 0)  # the note stays


def test_errors_name_every_bad_row(world):
    data = csv_bytes("wachtlijst-pleegzorg,2024,NL,,,,x,,", "wachtlijst-pleegzorg,2025,NL,,,,y,,")
    lines = error_lines(run_import(data, world.unicef_editor, dry_run=True))
    assert lines == [
        "Rij 2, kolom 'waarde': 'x' is geen getal.",
        "Rij 3, kolom 'waarde': 'y' is geen getal.",
    ]


# -- the template -----------------------------------------------------------------


def test_editor_downloads_a_template_listing_only_their_indicators(client, world):
    client.force_login(world.unicef_editor)
    response = client.get(reverse("admin:indicators_observation_template", args=["xlsx"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "waarnemingen"
    assert [c.value for c in book["waarnemingen"][1]] == HEADER.strip().split(",")
    codes = [row[0] for row in book["indicatoren"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["wachtlijst-pleegzorg"]


def test_filled_in_template_imports(world):
    book = openpyxl.load_workbook(io.BytesIO(template_bytes("xlsx", Indicator.objects.all())))
    book["waarnemingen"].append(["wachtlijst-pleegzorg", "2024", "NL", "", "", "", 840, "voorlopig", ""])
    out = io.BytesIO()
    book.save(out)
    result = run_import(out.getvalue(), world.unicef_editor, "xlsx")
    assert result.totals["new"] == 1, error_lines(result)


def test_csv_template_is_utf8_with_bom_and_only_a_header(world):
    data = template_bytes("csv", Indicator.objects.all())
    assert data.startswith(codecs.BOM_UTF8)
    assert data.decode("utf-8-sig") == HEADER


def test_confirming_a_file_somebody_else_previewed_is_refused(client, world):
    response = preview(client, world.unicef_editor, csv_bytes("wachtlijst-pleegzorg,2025,NL,,,,850,,"))
    form = response.context["confirm_form"]
    other = client.__class__()
    other.force_login(world.coordinator)
    data = {name: form.initial.get(name, "") for name in form.fields if form.initial.get(name) is not False}
    before = snapshot()
    assert other.post(CONFIRM_URL, data).status_code == 403
    assert other.post(CONFIRM_URL, {**data, "import_file_name": "../../etc/passwd"}).status_code == 403
    assert snapshot() == before
