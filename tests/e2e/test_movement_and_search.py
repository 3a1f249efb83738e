"""Movement assessed by an editor, then found by a journalist in the tracker and the search; axe-core.

The demo's 2024 edition is carried into 2025 through the workflow; the editor leading the migration chapter assesses two of its recommendations as "vooruitgang" in the
chapter's admin page; every chapter is approved and 2025 published; an anonymous visitor then finds
exactly those two with ``?beweging=vooruitgang``, and searches every edition. The new pages pass
axe-core (no serious or critical finding) in Dutch and English, and work without JavaScript.
Screenshots: ``e2e-screenshots/movement-*.png`` and ``search-*.png``, at 1280 and 390 px.
"""

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def edition_2025(demo_db):
    """2025 started from the published 2024 through the workflow (all chapters copied as drafts)."""
    from kib.models import Edition
    from kib.workflow import services
    from tests import factories as f

    coordinator = f.coordinator(username="coordinator-e2e")
    return services.start_next_edition(Edition.objects.get(year=2024), by=coordinator)


def publish_all(edition):
    from django.contrib.auth import get_user_model

    from kib.workflow import services
    from tests import factories as f
    from themes.models import Chapter

    coordinator = get_user_model().objects.get(username="coordinator-e2e")
    for chapter in edition.chapters.all():
        if chapter.state == Chapter.State.DRAFT:
            editor = f.editor(chapter.lead_organisation, username=f"redacteur-e2e-{chapter.pk}")
            services.submit_chapter(chapter, by=editor)
            chapter.refresh_from_db()
        services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)
    # this test is about movement, not readiness: the carried-over texts stay unconfirmed
    services.publish_edition(edition, by=coordinator, reason="E2E: beweging en zoeken, overgenomen teksten niet bekeken.")


def axe_findings(page):
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[(n['target'], n['failureSummary']) for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_editor_assesses_two_recommendations_and_the_journalist_finds_exactly_those(
    browser, page, live_server, login, screenshot, edition_2025
):
    from indicators.models import Indicator, Observation
    from tests import factories as f
    from themes.models import Chapter, HeadlineValue, LatestDevelopment

    chapter = Chapter.objects.get(edition=edition_2025, theme__slug="migratie")
    editor = f.editor(chapter.lead_organisation, username="redacteur-migratie-e2e", password="kinderrechten-demo")
    codes = list(chapter.chapter_recommendations.order_by("position").values_list("recommendation__code", flat=True))[:2]
    login(editor.username)
    page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/?sectie=aanbevelingen")
    for row in (0, 1):
        page.select_option(f"#id_chapter_recommendations-{row}-movement", label="vooruitgang")
        page.fill(f"#id_chapter_recommendations-{row}-movement_reasoning", f"Minder kinderen in de noodopvang ({row}).")
    screenshot("movement-editor-assesses")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert page.locator(".messagelist .success").count() == 1, page.locator(".errornote, .errorlist").all_inner_texts()
    assessed = chapter.chapter_recommendations.filter(movement="progress")
    assert sorted(assessed.values_list("recommendation__code", flat=True)) == sorted(codes)
    # the year's new figure and a latest development, as the editor adds them (their own admin pages are tested elsewhere)
    HeadlineValue.objects.create(chapter=chapter, position=99, label="2025", value=6100, display="6.100")
    LatestDevelopment.objects.create(chapter=chapter, title="Nieuwe opvangwet aangenomen", body="<p>De Eerste Kamer stemde in.</p>")
    # and the year's number of a figure's series, as imported (publishing the edition makes it public)
    Observation.objects.create(indicator=Indicator.objects.get(name="Onbegeleide kinderen die asiel aanvragen"), period="2025", value=6200)

    publish_all(edition_2025)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/aanbevelingen/?beweging=vooruitgang")
    found = re.findall(r"/aanbevelingen/\d+/([^/]+)/", " ".join(page.locator(".recommendation-results h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")))
    assert sorted(found) == sorted(codes)
    assert page.locator(".recommendation-results .latest-assessment").first.inner_text().startswith("Laatste beoordeling: ▲ vooruitgang (2025)")
    screenshot("movement-tracker-vooruitgang")
    page.goto(f"{live_server.url}/aanbevelingen/?beweging=beter")
    assert "onbekende waarde ‘beter’" in page.locator(".form-errors").inner_text()
    assert page.locator(".recommendation-results").count() == 0

    page.goto(f"{live_server.url}/editie/2025/migratie/")
    assert page.locator(".movement-marker.movement-progress").count() == 2
    assert "Minder kinderen in de noodopvang (0)." in page.locator(".tracker-links").inner_text()
    changes = page.locator("section.changes")
    assert "Wat is er veranderd sinds Kinderrechten in Beweging 2024" in changes.locator("h2").inner_text()
    assert "5.566 (2024) → 6.100 (2025): +534 (+9,6%)" in changes.locator(".key-figure-change").inner_text()
    assert "Nieuwe opvangwet aangenomen" in changes.locator("h3:text-is('Laatste ontwikkelingen') + ul").inner_text()
    figure_line = changes.locator(".figure-changes li").filter(has_text="Figuur 1. Aantal onbegeleide kinderen dat asiel aanvraagt")
    assert "Onbegeleide kinderen die asiel aanvragen: 5.780 (2023) → 6.200 (2025): +420 (+7,3%)" in figure_line.inner_text()
    changes.scroll_into_view_if_needed()
    screenshot("changes-since-2024", full_page=False)

    page.goto(live_server.url)
    page.get_by_role("search").first.get_by_role("searchbox").fill("jeugdzorg")
    page.get_by_role("search").first.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**/zoeken/?q=jeugdzorg")
    years = page.locator(".search-edition > h3").all_inner_texts()
    assert any("2025" in y for y in years) and any("2024" in y for y in years)
    assert page.locator(".search-hits mark").count() > 0
    screenshot("search-results-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("search-results-390")
    page.goto(f"{live_server.url}/aanbevelingen/?beweging=vooruitgang")
    screenshot("movement-tracker-390")


def test_search_finds_nothing_of_the_edition_in_preparation(page, live_server, edition_2025):
    from themes.models import ChapterSection

    chapter = edition_2025.chapters.get(theme__slug="migratie")
    ChapterSection.objects.create(chapter=chapter, title="Concept", body="<p>ZEPPELIN-9911 jeugdzorg</p>")
    page.goto(f"{live_server.url}/zoeken/?q=ZEPPELIN-9911")
    assert "0 passages gevonden" in page.locator("#results-title").inner_text()
    page.goto(f"{live_server.url}/zoeken/?q=jeugdzorg")
    assert not any("2025" in y for y in page.locator(".search-edition > h3").all_inner_texts())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_new_pages_pass_axe_and_work_without_javascript(browser, live_server, demo_db, language):
    assert AXE.exists(), "axe-core is missing: run tools/ensure-axe (make e2e does)."
    from django.conf import settings

    urls = [
        "/zoeken/?q=jeugdzorg+wachtlijst",
        "/zoeken/?q=x&thema=onbekend",
        "/aanbevelingen/?beweging=vooruitgang&gebied=bonaire",
        "/aanbevelingen/?beweging=beter",
        "/editie/2024/migratie/",
        "/aanbevelingen/1/37f/",
    ]
    # The CSP is bypassed for this run only, to inject axe; JavaScript is otherwise off (the site needs none).
    for javascript in (False, True):
        context = browser.new_context(
            bypass_csp=True, java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
        )
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        findings = {}
        for url in urls:
            response = page.goto(live_server.url + url.replace("/1/37f/", f"/{_co_id()}/37f/"))
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language
            if not javascript:
                assert page.locator("main h1").count() == 1, url
                continue
            if url.startswith("/zoeken/?q=jeugdzorg"):
                assert page.locator(".search-hits [lang=nl] mark").count() > 0
                assert page.locator(".search-chapter h4 a[lang=nl]").count() > 0
            found = axe_findings(page)
            if found:
                findings[url] = found
        assert findings == {}, json.dumps(findings, indent=1, ensure_ascii=False)
        context.close()
    SCREENSHOTS.mkdir(exist_ok=True)


def _co_id():
    from recommendations.models import Recommendation

    return Recommendation.objects.get(code="37f").concluding_observations_id
