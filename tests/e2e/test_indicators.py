"""An editor updates key figures from a spreadsheet, in Debian's Chromium.

Defence for Children's editor downloads the import template, fills in a new number for the
foster-care waiting list, uploads it, checks the preview, confirms, and finds the number
in the indicator's chart and in the figure of the 2025 chapter. A wrongly saved CSV gets
a clear message and changes nothing. Screenshots: ``e2e-screenshots/indicators-*.png``.
"""

import io

import openpyxl
import pytest

pytestmark = pytest.mark.django_db(transaction=True)

WAITING_LIST = "Kinderen op de wachtlijst voor pleegzorg (31 december)"


@pytest.fixture
def edition_2025(demo_db):
    """The demo's editorial cycle: 2025 in preparation, started from 2024 (charts and series come along)."""
    from kib.demo.cycle import run_cycle
    from kib.models import Edition

    run_cycle()
    return Edition.objects.get(year=2025)


def test_editor_imports_a_new_number_and_finds_it_in_the_chart(
    page, live_server, login, screenshot, edition_2025, tmp_path
):
    from indicators.models import ImportLog, Indicator, Observation

    login("redacteur-defence-for-children")
    page.goto(f"{live_server.url}/admin/indicators/observation/")
    page.get_by_role("link", name="Importeren").click()
    page.wait_for_url("**/observation/import/")
    page.get_by_role("link", name="Sjabloon downloaden (Excel, .xlsx)").wait_for()
    screenshot("indicators-1-import-page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Sjabloon downloaden (Excel, .xlsx)").click()
    template = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(template)
    assert template.name == "kib-importsjabloon.xlsx"

    # Fill it in as an editor would: look the code up on the 'indicatoren' sheet, type one row.
    book = openpyxl.load_workbook(template)
    codes = {name: code for code, name, *_ in book["indicatoren"].iter_rows(min_row=2, values_only=True)}
    assert WAITING_LIST in codes
    book["waarnemingen"].append(
        [codes[WAITING_LIST], "2024", "NL", "", "", "", 804, "voorlopig", "peildatum 31 december"]
    )
    filled = tmp_path / "pleegzorg-2024.xlsx"
    book.save(filled)

    page.set_input_files("#id_import_file", str(filled))
    page.select_option("#id_format", label="xlsx")
    page.locator("input[type=submit]").first.click()
    summary = page.locator(".kib-import-summary")
    summary.wait_for()
    assert "1 rijen: 1 nieuw, 0 gewijzigd, 0 ongewijzigd" in " ".join(summary.inner_text().split())
    preview_row = page.locator("table.import-preview tbody tr").first
    assert "Nieuw" in preview_row.inner_text() and "804" in preview_row.inner_text()
    assert not Observation.objects.filter(indicator__code=codes[WAITING_LIST], period="2024").exists()
    screenshot("indicators-2-preview")

    page.get_by_role("button", name="Import bevestigen").click()
    page.wait_for_url("**/observation/")
    assert "Import voltooid: 1 nieuw, 0 gewijzigd, 0 ongewijzigd." in page.locator(".messagelist").inner_text()
    log = ImportLog.objects.get()
    assert (log.user.username, log.new, log.file_name) == ("redacteur-defence-for-children", 1, "pleegzorg-2024.xlsx")

    indicator = Indicator.objects.get(code=codes[WAITING_LIST])
    page.goto(f"{live_server.url}/admin/indicators/indicator/{indicator.pk}/change/")
    page.locator("#indicator-chart").wait_for()
    chart = page.locator("#indicator-chart svg[role=img]").first
    assert "804 v" in chart.text_content() and "838" in chart.text_content()
    assert "v = voorlopig cijfer" in chart.text_content()
    figures = page.locator("#indicator-chart h3")
    headings = figures.all_inner_texts()
    assert "2025 ·" in headings[0] and "Figuur 4" in headings[0] and "2024 ·" in headings[1]
    figure_2025 = page.locator("#indicator-chart svg[role=img]").nth(1)
    assert "804 v" in figure_2025.text_content()
    published_2024 = page.locator("#indicator-chart svg[role=img]").nth(2)  # the published report stays as printed
    assert "838" in published_2024.text_content() and "804" not in published_2024.text_content()
    page.locator("#indicator-chart").scroll_into_view_if_needed()
    screenshot("indicators-3-chart-with-new-number")


def test_editor_uploading_a_windows_csv_is_told_what_to_do(page, live_server, login, screenshot, edition_2025):
    from indicators.models import ImportLog, Observation

    before = Observation.objects.count()
    login("redacteur-defence-for-children")
    page.goto(f"{live_server.url}/admin/indicators/observation/import/")
    data = "indicator;periode;waarde;toelichting\r\npleegzorg;2024;804;één peildatum\r\n".encode("cp1252")
    page.set_input_files("#id_import_file", files=[{"name": "cijfers.csv", "mimeType": "text/csv", "buffer": data}])
    page.select_option("#id_format", label="csv")
    page.locator("input[type=submit]").first.click()
    page.locator(".errorlist").first.wait_for()
    error = page.locator(".errorlist").first.inner_text()
    assert "niet opgeslagen als UTF-8" in error and "CSV UTF-8" in error
    assert page.get_by_role("button", name="Import bevestigen").count() == 0
    assert Observation.objects.count() == before and not ImportLog.objects.exists()
    screenshot("indicators-4-wrong-encoding")


def test_template_and_export_open_in_a_spreadsheet(page, live_server, login, edition_2025, tmp_path):
    """The export of the editor's observations is the import format: it reads back as a workbook."""
    login("redacteur-defence-for-children")
    page.goto(f"{live_server.url}/admin/indicators/observation/export/")
    page.select_option("#id_format", label="xlsx")
    with page.expect_download() as download_info:
        page.locator("input[type=submit]").first.click()
    book = openpyxl.load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    header = [cell.value for cell in book.active[1]]
    assert header == [
        "indicator",
        "periode",
        "gebied",
        "geslacht",
        "leeftijdsgroep",
        "uitsplitsing",
        "waarde",
        "vlag",
        "toelichting",
    ]
    assert book.active.max_row > 10
