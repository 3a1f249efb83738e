"""The chapter in sections, in Debian's Chromium: UNICEF's editor walks the navigator of a draft chapter.

On the demo as ``make run`` shows it, the editor of UNICEF opens their draft chapter, visits every
section through the navigator (the current one marked), and on each page measures the height and
the width at 1280×900: nothing scrolls sideways, no page is taller than about three screens. The
same at 390 px wide. Then they save one section and come back to it. Screenshots and the measured
figures go to ``/work/notes/shots/`` (``KIB_SHOTS``).
"""

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("KIB_SHOTS", "/work/notes/shots"))
MAX_HEIGHT = 2700  # about three screens of 900 px


@pytest.fixture
def demo_cycle(demo_db):
    from kib.demo.cycle import run_cycle

    run_cycle()


def size(page):
    return page.evaluate(
        "() => ({height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth})"
    )


def test_editor_walks_the_sections_of_a_chapter(page, live_server, login, demo_cycle):
    from themes.models import Chapter
    from themes.sections import SECTIONS

    SHOTS.mkdir(parents=True, exist_ok=True)
    chapter = Chapter.objects.get(edition__year=2025, theme__number=7)  # UNICEF's, in draft
    login("redacteur-unicef")
    page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/")
    nav = page.locator(".section-nav")
    assert nav.locator("li").count() == len(SECTIONS)
    assert nav.locator("[aria-current=page]").inner_text().startswith(str(SECTIONS[1].title))

    measured = {}
    for section in SECTIONS:
        nav.get_by_role("link", name=str(section.title)).click()
        page.wait_for_url(f"**?sectie={section.key}")
        assert nav.locator("[aria-current=page] .section-title").inner_text() == str(section.title)
        measured[section.key] = {"1280": size(page)}
        page.screenshot(path=str(SHOTS / f"sections-1280-{section.key}.png"), full_page=True)
    # The bar stays in view: scrolled down, it is still at the top of the window.
    page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/?sectie=laatste")
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(200)
    assert page.locator("#chapter-bar").bounding_box()["y"] <= 1
    page.screenshot(path=str(SHOTS / "sections-1280-laatste-scrolled.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    for section in SECTIONS:
        page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/?sectie={section.key}")
        measured[section.key]["390"] = size(page)
        if section.key in ("focus", "laatste", "ontwikkelingen"):
            page.screenshot(path=str(SHOTS / f"sections-390-{section.key}.png"), full_page=True)
    (SHOTS / "sections-sizes.json").write_text(json.dumps({"chapter": str(chapter), "sizes": measured}, indent=1))

    # Saving a section returns to it.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/?sectie=stand")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.url.endswith("?sectie=stand")
    assert "is gewijzigd" in page.locator(".messagelist").inner_text()
    with page.expect_navigation():
        page.click("input[name=_nextsection]")
    assert page.url.endswith("?sectie=kengetallen")
    page.screenshot(path=str(SHOTS / "sections-1280-saved-next.png"))

    too_wide = {key: m for key, m in measured.items() if m["1280"]["width"] > 1280 or m["390"]["width"] > 390}
    too_tall = {key: m["1280"]["height"] for key, m in measured.items() if m["1280"]["height"] > MAX_HEIGHT}
    assert not too_wide, too_wide
    assert not too_tall, too_tall
