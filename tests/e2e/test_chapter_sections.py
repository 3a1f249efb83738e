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


# -- the rough edges at 390 and 1280 px (folded parts, navigator, bands, comment links, the draft PDF) ---------

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

# Per folded part: the boxes of its title line's pieces and of its "Bewerken" fold, and whether its box clips.
FOLDED_PARTS = """() => [...document.querySelectorAll('.inline-group[data-inline-type=stacked] .inline-related.has_original')]
  .filter((row) => row.querySelector('details') && !row.querySelector('details').open).map((row) => {
    const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
      return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
    const h3 = row.querySelector('h3');
    return {
      id: row.id, row: box(row), h3: box(h3), clipped: row.scrollWidth > row.clientWidth || row.scrollHeight > row.clientHeight,
      title: box(h3.querySelector('b')), label: box(h3.querySelector('.inline_label')),
      box: box(h3.querySelector('span.delete input')), delete: box(h3.querySelector('span.delete label')),
      up: box(h3.querySelector('.kib-move-up')), down: box(h3.querySelector('.kib-move-down')),
      fold: box(row.querySelector('details > summary')),
    };
  })"""


def overlap(a, b):
    return (
        a["x"] < b["right"] - 0.5
        and b["x"] < a["right"] - 0.5
        and a["y"] < b["bottom"] - 0.5
        and b["y"] < a["bottom"] - 0.5
    )


def check_folded_parts(page, width):
    """Nothing of a folded part's title line overlaps, nothing is cut off, every control is at least 24 px."""
    rows = page.evaluate(FOLDED_PARTS)
    assert rows, "no folded parts to check"
    problems = []
    for row in rows:
        pieces = {name: row[name] for name in ("title", "label", "delete", "up", "down", "fold") if row[name]}
        names = list(pieces)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if overlap(pieces[a], pieces[b]):
                    problems.append(f"{row['id']}: {a} overlaps {b}")
        for name, box in pieces.items():
            if box["x"] < row["row"]["x"] - 0.5 or box["right"] > row["row"]["right"] + 0.5 or box["right"] > width:
                problems.append(f"{row['id']}: {name} sticks out of its part")
        for name in ("delete", "up", "down", "fold"):
            if pieces.get(name) and pieces[name]["height"] < 24:
                problems.append(f"{row['id']}: {name} is {pieces[name]['height']:.0f} px high")
        for name in ("up", "down"):
            if pieces.get(name) and pieces[name]["width"] < 24:
                problems.append(f"{row['id']}: {name} is {pieces[name]['width']:.0f} px wide")
        if row["clipped"]:
            problems.append(f"{row['id']}: the part's box clips its content")
        if row["fold"] and row["fold"]["y"] < row["h3"]["bottom"] - 0.5:
            problems.append(f"{row['id']}: the title line runs into 'Bewerken'")
    return rows, problems


def test_folded_parts_navigator_comment_links_and_draft_pdf_at_390_and_1280(page, live_server, login, demo_cycle):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from kib.workflow.models import ReviewComment
    from themes.models import Chapter, LatestDevelopment
    from themes.sections import SECTIONS

    SHOTS.mkdir(parents=True, exist_ok=True)
    violations, errors = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    chapter = Chapter.objects.get(edition__year=2025, theme__number=7)  # UNICEF's, in draft
    last = LatestDevelopment.objects.filter(chapter=chapter).order_by("position", "pk").last()
    coordinator = get_user_model().objects.get(username="coordinator")
    comment = ReviewComment.objects.create(
        chapter=chapter,
        author=coordinator,
        section="laatste",
        text="Noem hier ook de datum van inwerkingtreding.",
        content_type=ContentType.objects.get_for_model(last),
        object_id=last.pk,
        target_repr=str(last),
    )
    base = f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/"
    login("redacteur-unicef")

    # 1. Folded parts at 390 px: the title line wraps, nothing overlaps or is cut off, the page does not scroll sideways.
    page.set_viewport_size(PHONE)
    for key in ("laatste", "kengetallen"):
        page.goto(f"{base}?sectie={key}")
        rows, problems = check_folded_parts(page, PHONE["width"])
        assert not problems, problems
        assert size(page)["width"] <= PHONE["width"]
        page.locator(f"#{rows[0]['id']}").screenshot(path=str(SHOTS / f"layout-390-{key}-folded-part.png"))
    page.screenshot(path=str(SHOTS / "layout-390-kengetallen.png"), full_page=True)
    # ... and every control is reachable: Playwright refuses a click on a control that another element covers.
    page.goto(f"{base}?sectie=laatste")
    first = page.locator(".inline-related.has_original").first
    first_title = first.locator(".inline_label").inner_text()
    first.locator("span.delete label").click()
    assert first.locator("span.delete input").is_checked()
    first.locator("span.delete label").click()
    first.locator("details > summary").click()
    assert first.locator("details").evaluate("fold => fold.open")
    first.locator(".kib-move-down").click()
    assert page.locator(".inline-related.has_original").nth(1).locator(".inline_label").inner_text() == first_title
    # A part just added: its round "x" (remove) stays a 24 px button at the right of its title line.
    page.click("#latest_developments-group .add-row a")
    added = page.locator("#latest_developments-group .inline-related.last-related:not(.empty-form)").last
    remove, title_line = added.locator(".inline-deletelink").bounding_box(), added.locator("h3").bounding_box()
    assert remove["width"] >= 24 and remove["height"] >= 24, remove
    assert title_line["x"] + title_line["width"] - remove["x"] - remove["width"] < 16, (remove, title_line)

    # 2. The navigator wraps at 390 px: every section in sight, no strip that scrolls sideways.
    nav = page.evaluate(
        """() => { const ol = document.querySelector('.section-nav ol');
          return {scroll: ol.scrollWidth, client: ol.clientWidth,
                  links: [...ol.querySelectorAll('a')].map((a) => { const r = a.getBoundingClientRect();
                    return {x: r.x, right: r.right, height: r.height}; })}; }"""
    )
    assert nav["scroll"] <= nav["client"], nav
    assert len(nav["links"]) == len(SECTIONS)
    assert all(link["x"] >= 0 and link["right"] <= PHONE["width"] and link["height"] >= 24 for link in nav["links"]), (
        nav
    )
    page.locator("#chapter-bar").screenshot(path=str(SHOTS / "layout-390-navigator.png"))

    # 1 at 1280 px: a folded part's title and its controls stay on one line.
    page.set_viewport_size(DESK)
    for key in ("laatste", "kengetallen"):
        page.goto(f"{base}?sectie={key}")
        rows, problems = check_folded_parts(page, DESK["width"])
        assert not problems, problems
        for row in rows:
            middle = row["title"]["y"] + row["title"]["height"] / 2
            for name in ("delete", "up", "down"):
                if row[name]:
                    assert row[name]["y"] <= middle <= row[name]["bottom"], (row["id"], name, row)
    page.locator("#key_figures-group").screenshot(path=str(SHOTS / "layout-1280-kengetallen-folded-parts.png"))

    # 4. A section of parts only: no band with its title, and the comments start below the form (they began at
    # its top behind it, their blue heading showing through as empty bands).
    measured = page.evaluate(
        """() => ({form: document.querySelector('#chapter_form').getBoundingClientRect().bottom,
                  comments: document.querySelector('#review-comments').getBoundingClientRect().top,
                  headings: [...document.querySelectorAll('#chapter_form h2')].map((h) => h.textContent.trim())})"""
    )
    assert measured["comments"] >= measured["form"], measured
    assert "Kengetallen en figuren" not in measured["headings"], measured
    page.screenshot(path=str(SHOTS / "layout-1280-kengetallen.png"), full_page=True)

    # 5. A comment's link opens the folded part it is about and scrolls to it: arriving with the link ...
    anchor = f"#onderdeel-latest_developments-{last.pk}"
    row_of_last = page.locator(
        ".inline-related.has_original", has=page.locator(f"input[name$='-id'][value='{last.pk}']")
    )
    for viewport in (DESK, PHONE):
        page.set_viewport_size(viewport)
        page.goto("about:blank")  # a fresh load, not a jump within the page already open
        page.goto(f"{base}?sectie=laatste{anchor}")
        page.wait_for_function("() => document.querySelector('.part-linked')")
        assert row_of_last.locator("details").evaluate("fold => fold.open")
        assert row_of_last.evaluate("row => row.classList.contains('part-linked')")
        box = row_of_last.bounding_box()
        assert 0 <= box["y"] < viewport["height"] / 2, box
        bar = page.locator("#chapter-bar").bounding_box()
        if viewport is DESK:  # the sticky bar does not cover it
            assert box["y"] >= bar["y"] + bar["height"] - 1, (box, bar)
        page.screenshot(path=str(SHOTS / f"layout-{viewport['width']}-comment-opened-part.png"))
    # ... arriving at the comment itself (the link of Mijn werk and the dashboard): its part opens too, and the
    # comment stays in view ...
    page.set_viewport_size(DESK)
    page.goto("about:blank")
    page.goto(f"{base}?sectie=laatste#comment-{comment.pk}")
    page.wait_for_function("() => document.querySelector('.part-linked')")
    assert row_of_last.locator("details").evaluate("fold => fold.open")
    box = page.locator(f"#comment-{comment.pk}").bounding_box()
    assert 0 <= box["y"] < DESK["height"], box
    # ... and following it in the comment panel of the page itself.
    row_of_last.evaluate(
        "row => { row.classList.remove('part-linked'); row.querySelectorAll('details').forEach((d) => { d.open = false; }); }"
    )
    page.locator(f"#comment-{comment.pk} a.review-part-link").click()
    page.wait_for_function("() => document.querySelector('.part-linked')")
    assert row_of_last.locator("details").evaluate("fold => fold.open")
    box = row_of_last.bounding_box()
    assert 0 <= box["y"] < DESK["height"] / 2, box

    # 3. "Voorbeeld-PDF": a plain page that says the draft is ready, its download, and the way back.
    for viewport in (DESK, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{base}?sectie=laatste")
        with page.expect_navigation():
            page.click("#preview-pdf")
        assert "/admin/hoofdstukken/" in page.url and "/pdfbuild/" not in page.url
        page.wait_for_selector("#pdf-preview-download")
        assert "De voorbeeld-PDF staat klaar." in page.locator("#pdf-preview-state").inner_text()
        assert size(page)["width"] <= viewport["width"]
        page.screenshot(path=str(SHOTS / f"layout-{viewport['width']}-voorbeeld-pdf.png"))
        with page.expect_download() as download:
            page.click("#pdf-preview-download")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        with page.expect_navigation():
            page.click("#pdf-preview-back")
        assert page.url.endswith("?sectie=laatste")
    assert not violations, violations
    assert not errors, errors
