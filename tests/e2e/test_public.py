"""A visitor on the public site, in Debian's Chromium: the PDF, a theme, the tracker, the figures.

Also: the screenshots a person looks at (home, a theme page, the tracker, an indicator page;
desktop 1280 px and phone 390 px wide), keyboard access, the English interface, and the
editors' admin still working under the content security policy.
"""

import re
import subprocess

import pytest

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published_pdf(demo_db):
    """The 2024 edition's stored PDF, built through the publication service when the demo has none yet."""
    from kib.models import Edition
    from kib.publication.models import PublishedPdf
    from kib.publication.services import build_published_pdf_now

    edition = Edition.objects.published().get(year=2024)
    return PublishedPdf.objects.current().filter(edition=edition).first() or build_published_pdf_now(edition)


@pytest.fixture
def csp_violations(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    return lambda: [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


def test_visitor_downloads_the_pdf_opens_a_theme_filters_the_tracker_and_downloads_a_csv(
    page, live_server, published_pdf, tmp_path, csp_violations
):
    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == "Kinderrechten in Beweging"
    download_link = page.locator("a.download").first
    assert "pagina's" in download_link.inner_text() and "22 oktober 2024" in download_link.inner_text()

    with page.expect_download() as download_info:
        download_link.click()
    pdf_path = tmp_path / "rapport.pdf"
    download_info.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1]) == published_pdf.page_count > 10

    page.get_by_role("link", name=re.compile(r"Migratie$")).first.click()
    assert page.locator("h1").inner_text() == "Migratie"
    assert page.locator("nav.themebar a[aria-current=page]").inner_text().endswith("Migratie")
    assert page.locator("figure svg[role=img] title").count() >= 1

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Aanbevelingen").click()
    page.get_by_label("Thema").select_option(label="8. Migratie")
    page.get_by_role("button", name="Toon aanbevelingen").click()
    assert "thema=migratie" in page.url  # the tracker speaks Dutch in its URLs
    assert page.get_by_role("heading", level=2, name="7 aanbevelingen").is_visible()
    codes = page.locator(".recommendation-results h3 a").all_inner_texts()
    assert codes == [f"Aanbeveling {code}" for code in ["37a", "37b", "37f", "38a", "38b", "38d", "38e"]]

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Cijfers").click()
    page.locator(".indicator-list a").first.click()
    assert page.locator("table.data tbody tr").count() >= 1
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download de cijfers (CSV)").click()
    csv_path = tmp_path / "cijfers.csv"
    download_info.value.save_as(csv_path)
    assert csv_path.read_text(encoding="utf-8-sig").startswith("indicator,periode,gebied")
    assert csp_violations() == []


PAGES = {
    "home": "/",
    "theme": "/editie/2024/migratie/",
    "tracker": "/aanbevelingen/?thema=8",
    "indicator": None,  # the first indicator of the list, found in the test
}


@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("phone", 390)])
def test_screenshots_of_the_public_pages_fit_the_screen(browser, live_server, published_pdf, device, width):
    from indicators.models import Indicator

    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        pages = dict(
            PAGES, indicator=Indicator.objects.published().order_by("theme__number", "name")[0].get_absolute_url()
        )
        SCREENSHOTS.mkdir(exist_ok=True)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.screenshot(path=str(SCREENSHOTS / f"public-{name}-{device}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    finally:
        context.close()


def test_keyboard_users_reach_the_content_first(page, live_server, demo_db):
    page.goto(live_server.url + "/editie/2024/migratie/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_the_site_switches_to_english_and_back(page, live_server, demo_db):
    page.goto(live_server.url + "/aanbevelingen/")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Recommendation tracker"
    assert page.url.endswith("/aanbevelingen/")
    page.get_by_role("link", name="Nederlands").click()
    assert page.locator("h1").inner_text() == "Aanbevelingen volgen"


def test_the_admin_works_under_the_content_security_policy(page, live_server, demo_db, login, csp_violations):
    login("beheerder")
    paths = [
        "/admin/",
        "/admin/themes/chapter/",
        "/admin/kib/edition/",
        "/admin/indicators/indicator/",
        "/admin/indicators/observation/",
        "/admin/indicators/observation/import/",
        "/admin/indicators/observation/export/",
    ]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "default-src 'none'" in response.headers["content-security-policy"]
    page.goto(live_server.url + "/admin/themes/chapter/")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#content form").count() >= 1
    page.goto(live_server.url + "/admin/themes/chapter/")
    page.locator("#result_list tbody a").first.click()
    page.get_by_role("link", name=re.compile("Geschiedenis|History")).first.click()
    assert csp_violations() == []
    # The policy is enforced and a violation would be seen: an inline style is refused.
    page.evaluate("document.body.setAttribute('style', 'background: red')")
    page.wait_for_timeout(200)
    assert any("style" in message for message in csp_violations())
