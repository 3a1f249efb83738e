"""The whole yearly cycle, in Debian's Chromium, as the coordinator and an editor run it (issue 12, "Done when").

The coordinator starts 2026 from the published 2025 with a reporting period and deadlines and
assigns three chapters to UNICEF in one bulk action; UNICEF's editor finds them on "Mijn werk"
and submits chapter 3. The coordinator sends it back with a comment beside a latest
development, in the chapter's "Laatste ontwikkelingen" section, quoting the passage. The editor
finds the chapter first on "Mijn werk", follows the link to that very section, fixes the
development, confirms the two other texts carried over from 2025 and submits again. The
coordinator compares the version sent back with the current one and sees the fix word by
word, and approves over the comment still open (the confirmation step). The readiness check
then lists figure 1 of chapter 1 without data and the texts nobody looked at; the coordinator
marks the figure printed without a chart (with a note), confirms the carried-over texts, closes
the last comment, and publishes after confirming.

Kept short on purpose: chapters 1 and 6, which are not in the review flow, are approved through
the workflow services (``factories.approve``), not in the browser.
Screenshots: ``/work/notes/shots/cycle-*.png`` (1280×900 viewport, full page).
"""

import datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kinderrechten-demo"
SHOTS = Path("/work/notes/shots")

OLD_TEXT = "Het kabinet kondigt een wet tegen kindermishandeling aan; die gaat in 2025 in."
NEW_TEXT = "Het kabinet kondigt een wet tegen kindermishandeling aan; die gaat op 1 juli 2026 in."


@pytest.fixture
def shot(page):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name, full_page=True):
        # A page opened at an anchor is shot as the window shows it (a full-page shot of a scrolled
        # page draws the sticky bars in the middle).
        page.screenshot(path=str(SHOTS / f"cycle-{name}.png"), full_page=full_page)

    return take


@pytest.fixture
def edition_2025():
    """2025 published: three chapters nobody leads yet. Chapter 3 has a latest development and a
    key-figure paragraph; chapter 1 a figure that has no chart (no data); the edition an introduction."""
    from tests import factories as f
    from themes.models import Figure, KeyFigureParagraph, LatestDevelopment

    unicef = f.organisation("UNICEF Nederland", short_name="UNICEF", slug="unicef")
    edition = f.edition(
        year=2025,
        title="Kinderrechten in Beweging 2025",
        publication_date=datetime.date(2025, 10, 20),
        introduction="<p>Dit is de derde editie van Kinderrechten in Beweging.</p>",
    )
    chapters = {}
    for number, title in ((1, "Discriminatie"), (3, "Geweld tegen kinderen"), (6, "Armoede")):
        theme = f.theme(number, title=title, nav_label=title, slug=f"thema-{number}")
        chapters[number] = f.chapter(edition=edition, theme=theme, summary=f"<p>{title} in 2025.</p>", state="approved")
    LatestDevelopment.objects.create(chapter=chapters[3], title="Wet kindermishandeling", body=f"<p>{OLD_TEXT}</p>")
    KeyFigureParagraph.objects.create(
        chapter=chapters[3], title="Meldingen bij Veilig Thuis", body="<p>Veilig Thuis kreeg 130.000 meldingen.</p>"
    )
    Figure.objects.create(chapter=chapters[1], number=1, title="Ervaren discriminatie op school", source_line="Bron: CBS")
    f.editor(unicef, username="redacteur-unicef", password=PASSWORD, first_name="Rosa", last_name="de Vries")
    coordinator = f.coordinator(username="coordinator", password=PASSWORD, first_name="Coördinator")
    return f.publish(edition, by=coordinator)


def as_user(page, login, username):
    page.context.clear_cookies()
    login(username)


def test_a_yearly_cycle_from_starting_2026_to_publishing_it(page, live_server, login, shot, edition_2025):
    from kib.models import Edition
    from kib.workflow.models import AuditEntry, CarriedOver, ReviewComment
    from tests import factories as f
    from themes.models import Chapter, Figure

    url = live_server.url
    today = datetime.date.today()

    # 1. The coordinator starts 2026 with its period, publication date and a default deadline.
    login("coordinator")
    page.goto(f"{url}/admin/kib/edition/{edition_2025.pk}/change/")
    page.click("#edition-start-next")
    page.fill("#id_reporting_period_start", "2025-04-01")
    page.fill("#id_reporting_period_end", "2026-03-31")
    page.fill("#id_publication_date", (today + datetime.timedelta(days=300)).isoformat())
    page.fill("#id_deadline", (today + datetime.timedelta(days=30)).isoformat())
    page.check("#id_confirm")
    shot("01-start-2026")
    page.click("#start-next-confirm")
    page.wait_for_url(f"{url}/admin/dashboard/2026/")
    assert "verslagperiode april 2025 – maart 2026" in page.locator(".workflow-state").inner_text()
    new = Edition.objects.get(year=2026)
    violence = new.chapters.get(theme__number=3)
    discrimination = new.chapters.get(theme__number=1)
    poverty = new.chapters.get(theme__number=6)

    # 2. Three chapters to UNICEF in one bulk action, with their own deadline.
    page.goto(f"{url}/admin/themes/chapter/?edition__id__exact={new.pk}")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "plan_chapters")
    page.click("button[name=index]")
    page.check("#id_set_lead")
    page.select_option("#id_lead_organisation", label="UNICEF")
    page.check("#id_set_deadline")
    page.fill("#id_deadline", (today + datetime.timedelta(days=12)).isoformat())
    shot("02-plan-three-chapters")
    page.click("#plan-apply")
    assert "Gepland:" in page.locator(".messagelist").inner_text()
    assert set(new.chapters.values_list("lead_organisation__short_name", flat=True)) == {"UNICEF"}

    # 3. The editor finds the three on "Mijn werk" and submits chapter 3.
    as_user(page, login, "redacteur-unicef")
    mine = page.locator("#my-chapters ul.work-list > li")
    assert mine.count() == 3
    assert "nog 12 dagen" in page.locator("#my-chapters").inner_text()
    shot("03-editor-my-work")
    page.get_by_role("link", name="3. Geweld tegen kinderen").first.click()
    page.click("#workflow-submit")
    assert page.locator("#chapter-state").inner_text() == "ingediend"

    # 4. The coordinator comments beside the latest development, in its section, and sends the chapter back.
    as_user(page, login, "coordinator")
    assert "3. Geweld tegen kinderen" in page.locator("#to-review").inner_text()
    page.locator("#to-review").get_by_role("link", name="3. Geweld tegen kinderen").click()
    page.locator(".section-nav").get_by_role("link", name="Laatste ontwikkelingen").click()
    assert "sectie=laatste" in page.url
    comments = page.locator("#review-comments")
    comments.get_by_label("Laatste ontwikkeling: Wet kindermishandeling").check()
    page.fill("#comment-quote", "die gaat in 2025 in")
    page.fill("#new-comment", "Klopt dit nog? Volgens de Staatscourant gaat de wet op 1 juli 2026 in.")
    comments.get_by_role("button", name="Plaatsen").click()
    assert "sectie=laatste" in page.url
    thread = page.locator("#review-comments article.review-comment").first
    assert "bij Wet kindermishandeling" in thread.inner_text()
    assert thread.locator("blockquote.review-quote").inner_text() == "die gaat in 2025 in"
    page.locator(".workflow-request-changes summary").click()
    page.fill("#request-changes-comment", "Eén datum klopt niet meer, zie de opmerking bij de laatste ontwikkeling.")
    shot("04-coordinator-comment-beside-latest-development")
    page.click("#workflow-request-changes")
    assert page.locator("#chapter-state").inner_text() == "wijzigingen gevraagd"
    part_comment = ReviewComment.objects.get(chapter=violence, content_type__isnull=False)
    assert part_comment.section == "laatste" and part_comment.target_repr == "Wet kindermishandeling"

    # 5. The editor sees it first on "Mijn werk" and follows the link to the exact section.
    as_user(page, login, "redacteur-unicef")
    first = page.locator("#my-chapters ul.work-list > li").first
    assert "3. Geweld tegen kinderen" in first.inner_text() and "wijzigingen gevraagd" in first.inner_text()
    assert "2 open opmerkingen" in first.inner_text()
    shot("05-editor-sent-back-first")
    first.get_by_role("link", name="2 open opmerkingen").click()
    assert f"sectie=laatste#comment-{part_comment.pk}" in page.url
    assert "Klopt dit nog?" in page.locator(f"#comment-{part_comment.pk}").inner_text()
    shot("06-editor-in-the-section", full_page=False)

    # ... fixes the latest development where it is written, answers, closes the whole-chapter comment.
    development = page.locator("#latest_developments-group .inline-related.has_original").first
    # Each part is folded under its title; arriving at the comment opened the part it is about.
    page.wait_for_function("() => document.querySelector('.part-linked details[open]')")
    assert development.evaluate("row => row.classList.contains('part-linked')")
    editor = development.locator(".prose-editor:has(#id_latest_developments-0-body) .ProseMirror")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(NEW_TEXT)
    page.click("input[name=_continue]")
    assert "is gewijzigd" in page.locator(".messagelist").inner_text()
    assert "sectie=laatste" in page.url
    assert NEW_TEXT in violence.latest_developments.get().body
    thread = page.locator(f"#comment-{part_comment.pk}")
    thread.locator("textarea[name=text]").fill("Aangepast: 1 juli 2026.")
    thread.get_by_role("button", name="Antwoorden").click()
    whole = page.locator("#review-comments article.review-comment", has_text="Eén datum klopt niet meer")
    whole.get_by_role("button", name="Afgehandeld").click()
    assert "De opmerking is afgehandeld." in page.locator(".messagelist").inner_text()

    # ... confirms the two carried-over texts left (the development she changed no longer counts) ...
    page.goto(f"{url}/admin/")
    page.locator("#my-chapters ul.work-list > li").first.get_by_role("link", name="overgenomen").first.click()
    assert page.locator("#carried-over input[name=confirm]").count() == 2
    for box in page.locator("#carried-over input[name=confirm]").all():
        box.check()
    shot("07-editor-confirms-carried-over")
    page.click("#confirm-carried-over")
    assert CarriedOver.objects.unconfirmed().filter(chapter=violence).count() == 0
    assert CarriedOver.objects.filter(chapter=violence, confirmed_by__username="redacteur-unicef").count() == 2

    # ... and submits again.
    page.goto(f"{url}/admin/themes/chapter/{violence.pk}/change/")
    page.click("#workflow-submit")
    assert page.locator("#chapter-state").inner_text() == "ingediend"

    # 6. The coordinator compares the version sent back with now, and sees the fix word by word.
    as_user(page, login, "coordinator")
    page.goto(f"{url}/admin/themes/chapter/{violence.pk}/change/")
    page.get_by_role("link", name="Geschiedenis").click()
    # From the coordinator's last version (the planning: a state change is in the log, not a version) to now.
    rows = page.locator("#change-history tbody tr", has_text="coordinator")
    rows.first.locator("input[name=old]").check()
    shot("08-history-choose-versions")
    page.get_by_role("button", name="Vergelijk de gekozen versies").click()
    shot("09-coordinator-compares-versions")
    changed = page.locator("#part-compare tr", has_text="Wet kindermishandeling")
    assert "gewijzigd" in changed.inner_text()
    assert [t.strip() for t in changed.locator("del").all_inner_texts()] == ["in", "2025"]
    assert [t.strip() for t in changed.locator("ins").all_inner_texts()] == ["op", "1 juli 2026"]

    # ... and approves over the open comment, after confirming.
    page.goto(f"{url}/admin/themes/chapter/{violence.pk}/change/")
    page.click("#workflow-approve")
    open_comments = page.locator("#approve-open-comments").inner_text()
    assert "Klopt dit nog?" in open_comments and "Aangepast: 1 juli 2026." in open_comments  # with the answer
    shot("10-approve-despite-open-comment")
    page.check("#id_despite_open_comments")
    page.click("#approve-confirm")
    assert page.locator("#chapter-state").inner_text() == "goedgekeurd"
    approval = AuditEntry.objects.for_object(violence).filter(action="approve").get()
    assert "1" in approval.comment

    # 7. The readiness check lists the figure without data and the texts nobody looked at.
    page.goto(f"{url}/admin/dashboard/2026/")
    assert page.locator("#edition-publish").count() == 0  # two chapters not approved: no way to publish yet
    problems = page.locator("#readiness #readiness-problems")
    listed = problems.inner_text()
    assert "Figuur 1 in hoofdstuk 1. Discriminatie heeft geen cijfers" in listed
    assert "Hoofdstuk 1. Discriminatie: 2 teksten zijn overgenomen van vorig jaar en nog niet bekeken." in listed
    assert "Hoofdstuk 6. Armoede: 1 tekst is overgenomen" in listed
    assert "Hoofdstuk 1. Discriminatie is nog niet goedgekeurd" in listed
    assert "Hoofdstuk 3. Geweld tegen kinderen heeft 1 open opmerking." in listed
    assert "Overgenomen van vorig jaar en nog niet bekeken: Inleiding" in listed
    assert "3. Geweld tegen kinderen: " not in listed  # the editor looked at all of chapter 3
    shot("11-readiness-before-publishing")

    # 8. Fixed, each from its link: the figure marked printed without a chart, with a note ...
    problems.get_by_role("link", name="Figuur 1 in hoofdstuk 1. Discriminatie").click()
    page.check("#id_printed_without_chart")
    page.fill("#id_no_chart_note", "Er zijn geen landelijke cijfers over ervaren discriminatie op school.")
    shot("12-figure-printed-without-chart")
    page.click("input[name=_save]")
    assert Figure.objects.get(chapter=discrimination).printed_without_chart

    # ... the carried-over texts confirmed, each list read from its link ...
    # (The figure marked is changed, so chapter 1 has one text left to look at: its own.)
    assert CarriedOver.objects.unconfirmed().filter(chapter=discrimination).count() == 1
    for name in ("Hoofdstuk 1. Discriminatie: 1 tekst", "Hoofdstuk 6. Armoede: 1 tekst", "Overgenomen van vorig jaar"):
        page.goto(f"{url}/admin/dashboard/2026/")
        page.locator("#readiness #readiness-problems").get_by_role("link", name=name).click()
        shot("13-confirm-" + name.split(":")[0].split(".")[0].replace(" ", "-").lower())
        page.click("#confirm-all-carried-over")
    assert CarriedOver.objects.unconfirmed().filter(edition=new).count() == 0

    # ... and the comment answered is closed by the coordinator.
    page.goto(f"{url}/admin/themes/chapter/{violence.pk}/change/?sectie=laatste")
    page.locator(f"#comment-{part_comment.pk}").get_by_role("button", name="Afgehandeld").click()

    # 9. The chapters outside this flow are approved through the services (to keep the test short).
    for chapter in (discrimination, poverty):
        f.approve(Chapter.objects.get(pk=chapter.pk))

    # 10. Nothing left: published after confirming what freezes.
    page.goto(f"{url}/admin/dashboard/2026/")
    page.click("#edition-publish")
    assert page.locator("#readiness-ok").is_visible()
    assert "bevriest de editie" in page.locator("#what-freezes").inner_text()
    page.click("#publish-confirm")
    assert Edition.objects.get(pk=new.pk).state != Edition.State.PUBLISHED  # not confirmed: nothing frozen
    page.check("#id_confirm")
    shot("14-publish-confirm")
    page.click("#publish-confirm")
    assert "gepubliceerd en bevroren" in page.locator(".messagelist").inner_text()
    shot("15-published")
    assert Edition.objects.get(pk=new.pk).state == Edition.State.PUBLISHED
