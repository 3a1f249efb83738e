"""Ordering by dragging and by the keyboard buttons, in Debian's Chromium.

UNICEF's editor opens a draft chapter with four latest developments (a stacked inline) and three
headline values (a tabular one), drags one row of each with the mouse, moves one of each with
the "omhoog"/"omlaag" buttons (one by mouse click, one from the keyboard), saves, and finds the
new order in the database and in print. A submitted chapter offers neither. No content security
policy violation on the way. Screenshots: ``e2e-screenshots/ordering-*.png``.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kinderrechten-demo"


@pytest.fixture
def draft_chapter():
    from tests import factories as f
    from themes.models import HeadlineValue, LatestDevelopment

    unicef = f.organisation("UNICEF Nederland", short_name="UNICEF", slug="unicef")
    edition = f.edition(year=2025, title="Kinderrechten in Beweging")
    theme = f.theme(7, title="Onderwijs", nav_label="Onderwijs", slug="onderwijs")
    chapter = f.chapter(edition=edition, theme=theme, lead_organisation=unicef)
    for position, title in enumerate(["Alfa", "Bravo", "Charlie", "Delta"], start=1):
        LatestDevelopment.objects.create(chapter=chapter, position=position, title=title, body=f"<p>{title}.</p>")
    for position, label in enumerate(["2021", "2022", "2023"], start=1):
        HeadlineValue.objects.create(chapter=chapter, position=position, label=label, display=label)
    f.editor(unicef, username="redacteur-unicef", password=PASSWORD, first_name="Rosa", last_name="de Vries")
    return chapter


def drag(page, source, target):
    """Press on ``source``, move in steps to just above ``target``, let go (SortableJS's native drag).

    Both rows must be in the viewport (the mouse cannot leave it): the test makes the window tall.
    The target is measured before the drag starts and the rows do not move meanwhile.
    """
    target.evaluate("element => element.scrollIntoView({block: 'start'})")
    box = source.bounding_box()
    assert box["y"] + box["height"] < page.viewport_size["height"], "both rows must be in view"
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2 - 10, steps=3)
    goal = target.bounding_box()
    start, end = box["y"] + box["height"] / 2 - 10, goal["y"] - 6  # just above the target: placed before it
    for step in range(1, 41):  # slowly, as a hand does: SortableJS lets each row finish its animation
        page.mouse.move(box["x"] + 30, start + (end - start) * step / 40)
        page.wait_for_timeout(25)
    for dy in (4, 1):  # rest on the target's top edge until the last animation is over
        page.wait_for_timeout(250)
        page.mouse.move(box["x"] + 30, end + dy)
    page.wait_for_timeout(300)
    page.mouse.up()
    page.wait_for_timeout(400)


def unfold(row):
    """Open a part folded under its title ("Bewerken"), as the editor clicks it; an open one stays open."""
    row.locator("details").first.evaluate("details => { details.open = true; }")


def show(page, selector):
    page.locator(selector).evaluate("element => element.scrollIntoView({block: 'start'})")


def shown(page, selector):
    return page.locator(selector).evaluate_all("rows => rows.map(r => r.querySelector('input._reorder_') && "
                                               "r.querySelector('input[name$=\"-title\"], input[name$=\"-label\"]').value)")


def test_editor_drags_two_rows_and_moves_two_with_the_buttons(page, live_server, login, screenshot, draft_chapter):
    """The latest developments in their section, the headline values in theirs (one section per page):
    on each, one row dragged and one moved with a button, saved with "Opslaan en verder bewerken"."""
    from themes.layout import ChapterLayout
    from themes.models import Chapter

    violations, errors = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    login("redacteur-unicef")
    base = f"{live_server.url}/admin/themes/chapter/{draft_chapter.pk}/change/"

    page.goto(base + "?sectie=laatste")
    page.wait_for_load_state("load")
    latest = "#latest_developments-group .inline-related.has_original"
    assert page.locator("#latest_developments-group fieldset.sortable").count() == 1
    assert not page.locator("input[name='latest_developments-0-position']").is_visible()
    up = page.get_by_role("button", name="Omhoog: Charlie")
    assert up.evaluate("b => b.tagName") == "BUTTON"
    page.set_viewport_size({"width": 1280, "height": 3600})  # both rows of a drag in view
    show(page, "#latest_developments-group")
    drag(page, page.locator(f"{latest} h3").nth(3), page.locator(f"{latest} h3").nth(0))
    assert shown(page, latest) == ["Delta", "Alfa", "Bravo", "Charlie"]
    page.get_by_role("button", name="Omhoog: Charlie").click()  # Charlie one up with a click
    assert shown(page, latest) == ["Delta", "Alfa", "Charlie", "Bravo"]
    page.set_viewport_size({"width": 1280, "height": 900})
    show(page, "#latest_developments-group")
    screenshot("ordering-moved", full_page=False)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state("load")
    assert page.locator(".messagelist .success").count() == 1
    assert "sectie=laatste" in page.url  # back in the same section

    page.goto(base + "?sectie=kerncijfer")
    page.wait_for_load_state("load")
    values = "#headline_values-group tr.has_original"
    page.set_viewport_size({"width": 1280, "height": 3600})
    show(page, "#headline_values-group")
    drag(page, page.locator(f"{values} td.original p").nth(2), page.locator(f"{values} td.original p").nth(0))
    assert shown(page, values) == ["2023", "2021", "2022"]
    page.get_by_role("button", name="Omlaag: 2021").focus()  # 2021 one down from the keyboard (Enter)
    page.keyboard.press("Enter")
    assert shown(page, values) == ["2023", "2022", "2021"]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Omlaag: 2021")  # focus stays
    assert "nu 3 van 3" in page.locator("#headline_values-group .kib-order-status").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    show(page, "#headline_values-group")
    screenshot("ordering-moved-values", full_page=False)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state("load")
    assert page.locator(".messagelist .success").count() == 1

    chapter = Chapter.objects.get(pk=draft_chapter.pk)
    assert list(chapter.latest_developments.values_list("title", flat=True)) == ["Delta", "Alfa", "Charlie", "Bravo"]
    assert list(chapter.headline_values.values_list("label", flat=True)) == ["2023", "2022", "2021"]
    assert [b.title for b in ChapterLayout(chapter).latest_developments] == ["Delta", "Alfa", "Charlie", "Bravo"]
    assert not violations, violations
    assert not errors, errors


def test_a_submitted_chapter_cannot_be_dragged_or_moved(page, live_server, login, screenshot, draft_chapter):
    from kib.workflow import services
    from themes.models import Chapter

    editor = draft_chapter.lead_organisation.members.get()
    services.submit_chapter(Chapter.objects.get(pk=draft_chapter.pk), by=editor)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login("redacteur-unicef")
    page.goto(f"{live_server.url}/admin/themes/chapter/{draft_chapter.pk}/change/?sectie=laatste")
    page.wait_for_load_state("load")
    assert page.locator("button.kib-move").count() == 0
    assert page.locator("fieldset.sortable").count() == 0
    latest = page.locator("#latest_developments-group .inline-related h3")
    page.set_viewport_size({"width": 1280, "height": 3600})
    drag(page, latest.nth(3), latest.nth(0))
    assert page.locator("#latest_developments-group .inline_label").all_inner_texts()[0].startswith("Alfa")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate("getSelection().removeAllRanges()")
    show(page, "#latest_developments-group")
    screenshot("ordering-read-only", full_page=False)
    assert not errors, errors


def test_editor_pastes_a_source_and_a_footnote_in_the_part(page, live_server, login, screenshot, draft_chapter):
    from django.contrib.contenttypes.models import ContentType

    from themes.layout import ChapterLayout
    from themes.models import Chapter, Citation, Footnote, LatestDevelopment

    login("redacteur-unicef")
    url = f"{live_server.url}/admin/themes/chapter/{draft_chapter.pk}/change/?sectie=laatste"
    page.goto(url)
    bravo = page.locator("#latest_developments-group .inline-related.has_original").nth(1)
    unfold(bravo)
    bravo.locator("textarea[name$='-new_sources']").fill("javascript:alert(1)")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state("load")
    assert page.locator(".errorlist", has_text="is geen webadres").first.is_visible()  # the part opened on its error
    assert not Citation.objects.exists()

    bravo = page.locator("#latest_developments-group .inline-related.has_original").nth(1)
    unfold(bravo)
    bravo.locator("textarea[name$='-new_sources']").fill(
        "https://www.CBS.nl/jeugd/?utm_source=nieuwsbrief | CBS | Jeugdmonitor\nhttps://www.cbs.nl/jeugd"
    )
    bravo.locator("textarea[name$='-new_footnote']").fill("Cijfers over 2023.")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state("load")
    assert page.locator(".messagelist .success").count() == 1
    part = LatestDevelopment.objects.get(title="Bravo")
    target = {"content_type": ContentType.objects.get_for_model(part), "object_id": part.pk}
    assert list(Citation.objects.filter(**target).values_list("source__url", flat=True)) == ["https://www.cbs.nl/jeugd"]
    assert Footnote.objects.get(**target).text == "Cijfers over 2023."
    bravo = page.locator("#latest_developments-group .inline-related.has_original").nth(1)
    unfold(bravo)
    assert "CBS, Jeugdmonitor" in bravo.inner_text()  # the citation shows in the part, removable
    bravo.locator("textarea[name$='-new_sources']").scroll_into_view_if_needed()
    screenshot("ordering-citing", full_page=False)
    printed = ChapterLayout(Chapter.objects.get(pk=draft_chapter.pk)).latest_developments[1]
    assert [fn.marker for fn in printed.printed_footnotes] == ["1"]
