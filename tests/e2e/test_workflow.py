"""One chapter through review to publication, in Debian's Chromium, as the people who do it.

UNICEF's editor writes and submits; a coordinator sends it back with a comment; the editor
fixes it and submits again; the coordinator approves and, with every chapter approved,
publishes the edition from the dashboard. Screenshots: ``e2e-screenshots/workflow-*.png``.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kinderrechten-demo"


@pytest.fixture
def edition_2025():
    """An edition in preparation: UNICEF's chapter in draft, Defence for Children's already approved."""
    from kib.models import Edition
    from tests import factories as f
    from themes.models import Chapter

    unicef = f.organisation("UNICEF Nederland", short_name="UNICEF", slug="unicef")
    defence = f.organisation("Defence for Children", slug="defence-for-children")
    edition = f.edition(year=2025, title="Kinderrechten in Beweging")
    poverty = f.theme(3, title="Armoede en sociale zekerheid", nav_label="Armoede", slug="armoede")
    justice = f.theme(10, title="Jeugdstrafrecht", nav_label="Jeugdstrafrecht", slug="jeugdstrafrecht")
    chapter = f.chapter(
        edition=edition,
        theme=poverty,
        lead_organisation=unicef,
        focus="Armoede",
        summary="<p>In 2023 groeiden 6,4% van de kinderen op in armoede.</p>",
    )
    f.chapter(edition=edition, theme=justice, lead_organisation=defence, state=Chapter.State.APPROVED)
    f.editor(unicef, username="redacteur-unicef", password=PASSWORD, first_name="Rosa", last_name="de Vries")
    f.coordinator(username="coordinator", password=PASSWORD, first_name="Coördinator")
    return Edition.objects.get(pk=edition.pk), chapter


def write_in_editor(page, field, text):
    """Replace the text of a rich-text field by typing in its editor, as a person does."""
    editor = page.locator(f".prose-editor:has({field}) .ProseMirror")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def switch_user(page, login, username):
    page.context.clear_cookies()
    login(username)


def test_a_chapter_goes_from_draft_to_publication(page, live_server, login, screenshot, edition_2025):
    from kib.models import Edition
    from kib.workflow.models import AuditEntry
    from themes.models import Chapter

    edition, chapter = edition_2025
    chapter_url = f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/?sectie=stand"  # the summary's section
    state = page.locator("#chapter-state")

    # The editor drafts and submits.
    login("redacteur-unicef")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Kinderrechten in Beweging 2025").click()
    assert page.locator("#dashboard tbody tr").count() == 1  # only UNICEF's chapter
    screenshot("workflow-1-editor-dashboard")
    page.get_by_role("link", name="3. Armoede en sociale zekerheid").click()
    page.locator(".section-nav").get_by_role("link", name="Zo staat het ervoor").click()
    write_in_editor(page, "#id_summary", "In 2023 groeiden 6,4% van de kinderen op in armoede; in 2024 naar schatting 5,8%.")
    page.click("input[name=_continue]")
    assert "Het hoofdstuk ‘2025 · 3. Armoede en sociale zekerheid’ is gewijzigd" in page.locator(".messagelist").inner_text()
    page.click("#workflow-submit")
    assert state.inner_text() == "ingediend"
    screenshot("workflow-2-editor-submitted")

    # The coordinator asks for changes, with a comment.
    switch_user(page, login, "coordinator")
    page.goto(chapter_url)
    page.locator(".workflow-request-changes summary").click()
    page.fill("#request-changes-comment", "Noem ook de bron van de schatting voor 2024 (CPB?).")
    page.click("#workflow-request-changes")
    assert state.inner_text() == "wijzigingen gevraagd"  # a draft sent back, as the bar names it
    assert "Noem ook de bron" in page.locator("#review-comments").inner_text()
    screenshot("workflow-3-coordinator-requested-changes")

    # The editor reads the comment, fixes the text, answers, and submits again.
    switch_user(page, login, "redacteur-unicef")
    page.goto(chapter_url)
    assert "Noem ook de bron" in page.locator("#review-comments").inner_text()
    write_in_editor(
        page, "#id_summary", "In 2023 groeiden 6,4% van de kinderen op in armoede; in 2024 naar schatting 5,8% (CPB)."
    )
    page.click("input[name=_continue]")
    comment = page.locator("#review-comments article").first
    comment.locator("textarea[name=text]").fill("Bron toegevoegd: CPB, augustusraming 2024.")
    comment.get_by_role("button", name="Antwoorden").click()
    page.locator("#review-comments article").first.get_by_role("button", name="Afgehandeld").click()
    page.click("#workflow-submit")
    assert state.inner_text() == "ingediend"
    screenshot("workflow-4-editor-resubmitted")

    # The coordinator approves the revision on the screen.
    switch_user(page, login, "coordinator")
    page.goto(chapter_url)
    assert "(CPB)" in page.locator("#id_summary").input_value()
    page.click("#workflow-approve")
    assert state.inner_text() == "goedgekeurd"
    screenshot("workflow-5-coordinator-approved")

    # Every chapter is approved: the coordinator publishes from the dashboard.
    page.goto(f"{live_server.url}/admin/dashboard/2025/")
    screenshot("workflow-6-dashboard-all-approved")
    page.click("#edition-publish")
    assert "bevriest de editie" in page.locator("#what-freezes").inner_text()  # publishing asks first
    page.check("#id_confirm")
    page.click("#publish-confirm")
    assert "gepubliceerd en bevroren" in page.locator(".messagelist").inner_text()
    assert page.locator("#edition-state").inner_text() == "gepubliceerd"
    screenshot("workflow-7-published")

    edition.refresh_from_db()
    assert edition.state == Edition.State.PUBLISHED
    assert Chapter.objects.get(pk=chapter.pk).summary.endswith("(CPB).</p>")
    actions = list(AuditEntry.objects.for_object(chapter).order_by("at").values_list("action", flat=True))
    assert actions == ["submit", "request_changes", "submit", "approve"]

    # Frozen: the chapter page no longer offers a way to change anything.
    page.goto(chapter_url)
    assert page.locator("input[name=_continue]").count() == 0 and page.locator("#workflow-submit").count() == 0
    screenshot("workflow-8-frozen-chapter")

    # The history compares the first and the last version, word by word.
    page.get_by_role("link", name="Geschiedenis").click()
    page.locator("input[name=old]").last.check()
    page.locator("input[name=new]").first.check()
    page.get_by_role("button", name="Vergelijk de gekozen versies").click()
    assert "(CPB)" in page.locator("#history-compare ins").last.inner_text()
    screenshot("workflow-9-history-compare")
