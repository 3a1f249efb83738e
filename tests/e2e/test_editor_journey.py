"""The editor's whole journey, in Debian's Chromium: from a draft to the published page and PDF.

UNICEF's editor opens a draft chapter and, section by section, writes a paragraph with bold
text, a bulleted list and a link through the toolbar; orders the headline values and the
latest developments (one of each by dragging, one of each with the "omhoog"/"omlaag" buttons
from the keyboard); adds a latest development with a source's web address pasted in the part
and a footnote; looks at the HTML preview and the draft PDF; saves and submits. No HTML tag
is typed anywhere. The coordinator's part goes through the services, for speed: every chapter
approved (``approve_chapter``) and the edition published (``publish_edition``), with the PDF
built in-process by the tests' immediate task backend. Then the public chapter page and the
stored PDF (pdftotext, pikepdf) show that text, the link, the footnote and the source.

Screenshots: ``/work/notes/shots/journey-*.png`` at 1280×900 and 390 px wide.
"""

import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_ordering import drag, shown

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kinderrechten-demo"
SHOTS = Path("/work/notes/shots")
LINK = "https://www.unicef.nl/kinderrechten"
SOURCE = "https://www.cbs.nl/nl-nl/publicatie/2025/jeugdmonitor"
PASTED = f"{SOURCE.replace('www.cbs.nl', 'www.CBS.nl')}/?utm_source=nieuwsbrief | CBS | Jeugdmonitor 2025"
FOOTNOTE = "Cijfers over het schooljaar 2024/2025."


@pytest.fixture
def draft_chapter():
    from tests import factories as f
    from themes.models import HeadlineValue, LatestDevelopment

    unicef = f.organisation("UNICEF Nederland", short_name="UNICEF", slug="unicef")
    edition = f.edition(year=2025, title="Kinderrechten in Beweging")
    theme = f.theme(7, title="Onderwijs", nav_label="Onderwijs", slug="onderwijs")
    chapter = f.chapter(
        edition=edition, theme=theme, lead_organisation=unicef, focus="Onderwijs", summary="<p>Oude tekst.</p>"
    )
    for position, title in enumerate(["Alfa", "Bravo", "Charlie"], start=1):
        LatestDevelopment.objects.create(chapter=chapter, position=position, title=title, body=f"<p>{title} gebeurde.</p>")
    for position, label in enumerate(["2021", "2022", "2023"], start=1):
        HeadlineValue.objects.create(chapter=chapter, position=position, label=label, display=f"{label[-1]}%")
    f.editor(unicef, username="redacteur-unicef", password=PASSWORD, first_name="Rosa", last_name="de Vries")
    f.coordinator(username="coordinator", password=PASSWORD, first_name="Coördinator")
    return chapter


@pytest.fixture
def shot(page):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name, locator=None, full_page=False):
        """A screenshot at 1280×900 and one 390 px wide, of the element ``locator`` scrolled to the top."""
        paths = []
        for width, height, label in ((1280, 900, "1280"), (390, 844, "390")):
            page.set_viewport_size({"width": width, "height": height})
            if locator is not None:
                # Just below the bar that stays in view at the top.
                page.locator(locator).first.evaluate(
                    """element => {
                        element.scrollIntoView({block: 'start'});
                        const bar = document.querySelector('#chapter-bar');
                        if (bar && element !== bar) window.scrollBy(0, -bar.getBoundingClientRect().height - 8);
                    }"""
                )
            path = SHOTS / f"journey-{name}-{label}.png"
            page.screenshot(path=str(path), full_page=full_page)
            paths.append(path)
        page.set_viewport_size({"width": 1280, "height": 900})
        return paths

    return take


def save(page):
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.locator(".messagelist .success").count() == 1, page.locator("main").inner_text()[:2000]


def open_section(page, title):
    with page.expect_navigation():
        page.locator(".section-nav").get_by_role("link", name=title).click()


def write_summary(page):
    """Bold, a bulleted list and a link, with the toolbar and the keyboard only."""
    editor = page.locator(".prose-editor:has(#id_summary)")
    text = editor.locator(".ProseMirror")
    text.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("Onderwijs is ")
    editor.locator("[data-name=bold]").click()
    page.keyboard.type("voor ieder kind")
    editor.locator("[data-name=bold]").click()
    page.keyboard.type(" een recht.")
    page.keyboard.press("Enter")
    editor.locator("[data-name=bulletList]").click()
    page.keyboard.type("Thuiszitters krijgen les")
    page.keyboard.press("Enter")
    page.keyboard.type("Scholen zijn toegankelijk")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # out of the list
    page.keyboard.type("Lees meer bij UNICEF")
    for _ in "UNICEF":
        page.keyboard.press("Shift+ArrowLeft")
    editor.locator("[data-name=link]").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=href]").fill(LINK)
    dialog.locator("button[type=submit]").click()
    text.locator(f'a[href="{LINK}"]').wait_for()


def test_editor_writes_orders_cites_previews_submits_and_the_public_sees_it(page, live_server, login, shot, draft_chapter):
    import pikepdf
    from django.contrib.contenttypes.models import ContentType

    from kib.models import Edition
    from kib.publication.models import PdfBuild, PublishedPdf
    from kib.workflow import services
    from themes.models import Chapter, Citation, Footnote, LatestDevelopment

    chapter = draft_chapter
    violations, errors, typed = [], [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Nothing the editor types is HTML: every keyboard.type below goes through these.
    original_type = page.keyboard.type

    def watched_type(text, **kwargs):
        typed.append(text)
        return original_type(text, **kwargs)

    page.keyboard.type = watched_type

    login("redacteur-unicef")
    page.goto(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/")
    shot("1-chapter-opened", full_page=False)

    # 1. Zo staat het ervoor: the summary, through the toolbar.
    open_section(page, "Zo staat het ervoor")
    write_summary(page)
    shot("2-summary-toolbar", ".prose-editor:has(#id_summary)")
    save(page)

    # 2. Kerncijfer: drag 2023 above 2021, then 2021 one down from the keyboard.
    open_section(page, "Kerncijfer")
    values = "#headline_values-group tr.has_original"
    page.set_viewport_size({"width": 1280, "height": 3600})
    drag(page, page.locator(f"{values} td.original p").nth(2), page.locator(f"{values} td.original p").nth(0))
    assert shown(page, values) == ["2023", "2021", "2022"]
    page.get_by_role("button", name="Omlaag: 2021").focus()
    page.keyboard.press("Enter")
    assert shown(page, values) == ["2023", "2022", "2021"]
    page.set_viewport_size({"width": 1280, "height": 900})
    shot("3-headline-values-moved", "#headline_values-group")
    save(page)

    # 3. Laatste ontwikkelingen: drag Charlie above Alfa, then Bravo one up from the keyboard.
    open_section(page, "Laatste ontwikkelingen")
    latest = "#latest_developments-group .inline-related.has_original"
    page.set_viewport_size({"width": 1280, "height": 3600})
    drag(page, page.locator(f"{latest} h3").nth(2), page.locator(f"{latest} h3").nth(0))
    assert shown(page, latest) == ["Charlie", "Alfa", "Bravo"]
    page.get_by_role("button", name="Omhoog: Bravo").focus()
    page.keyboard.press("Enter")
    assert shown(page, latest) == ["Charlie", "Bravo", "Alfa"]
    page.set_viewport_size({"width": 1280, "height": 900})

    # ... and a new latest development, its source pasted and a footnote written in the part.
    page.locator("#latest_developments-group .add-row a").click()
    new = page.locator("#latest_developments-group .inline-related.last-related.dynamic-latest_developments").last
    # It opens at once (the existing parts stay folded under their titles), its first field ready.
    assert new.locator("details").evaluate_all("folds => folds.every(fold => fold.open)")
    assert page.evaluate("document.activeElement.name").endswith("-subheading")
    new.locator("input[name$='-title']").click()
    page.keyboard.type("Nieuwe wet op thuisonderwijs")
    new.locator(".prose-editor .ProseMirror").click()
    page.keyboard.type("Het kabinet diende in mei een wetsvoorstel in.")
    new.locator("textarea[name$='-new_sources']").click()
    page.keyboard.insert_text(PASTED)  # pasted, as from the address bar
    new.locator("textarea[name$='-new_footnote']").click()
    page.keyboard.type(FOOTNOTE)
    shot("4-latest-development-cited", "#latest_developments-group .inline-related.last-related")
    save(page)
    assert not page.locator(".errorlist").count()

    stored = Chapter.objects.get(pk=chapter.pk)
    assert list(stored.headline_values.values_list("label", flat=True)) == ["2023", "2022", "2021"]
    titles = list(stored.latest_developments.values_list("title", flat=True))
    assert titles == ["Charlie", "Bravo", "Alfa", "Nieuwe wet op thuisonderwijs"]
    part = LatestDevelopment.objects.get(title="Nieuwe wet op thuisonderwijs")
    target = {"content_type": ContentType.objects.get_for_model(part), "object_id": part.pk}
    assert list(Citation.objects.filter(**target).values_list("source__url", "source__title")) == [
        (SOURCE, "Jeugdmonitor 2025")
    ]
    assert Footnote.objects.get(**target).text == FOOTNOTE
    assert stored.summary == (
        "<p>Onderwijs is <strong>voor ieder kind</strong> een recht.</p>"
        "<ul><li><p>Thuiszitters krijgen les</p></li><li><p>Scholen zijn toegankelijk</p></li></ul>"
        f'<p>Lees meer bij <a href="{LINK}" title="" rel="noopener noreferrer">UNICEF</a></p>'
    )

    # 4. The preview: the chapter as printed, with its CONCEPT mark; then the draft PDF.
    with page.expect_navigation():
        page.click("#preview-html")
    preview = page.locator("body").inner_text()
    assert "CONCEPT" in preview.upper()
    assert "voor ieder kind" in preview and FOOTNOTE in preview and "Nieuwe wet op thuisonderwijs" in preview
    shot("5-preview-html", full_page=False)
    page.go_back()
    page.wait_for_load_state("load")
    with page.expect_navigation():
        page.click("#preview-pdf")
    build = PdfBuild.objects.get(kind=PdfBuild.Kind.PREVIEW, chapter=chapter)
    assert build.status == PdfBuild.Status.DONE, build.error
    shot("6-preview-pdf-ready", full_page=False)

    # 5. Save once more from the chapter, then submit.
    page.goto(f"{live_server.url}/admin/themes/chapter/{chapter.pk}/change/?sectie=laatste")
    save(page)
    page.click("#workflow-submit")
    page.wait_for_load_state("load")
    assert page.locator("#chapter-state").inner_text() == "ingediend"
    assert page.url.endswith("?sectie=laatste")  # back on the section the editor submitted from
    shot("7-submitted", "#chapter-bar")
    assert not any("<" in text for text in typed), typed  # never a tag typed
    assert not violations, violations
    assert not errors, errors

    # The coordinator, through the services: approve every chapter, publish, the PDF built in-process.
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="coordinator")
    edition = Edition.objects.get(pk=chapter.edition_id)
    for each in edition.chapters.all():
        services.approve_chapter(each, by=coordinator, seen_version=each.version)
    services.publish_edition(edition, by=coordinator, reason="E2E: een editie met één hoofdstuk.")
    edition.refresh_from_db()
    assert edition.state == Edition.State.PUBLISHED
    pdf = PublishedPdf.objects.get(edition=edition, is_current=True)

    # The public page shows exactly that text, the link, the footnote and the source.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/editie/2025/onderwijs/")
    main = page.locator("main")
    body = main.inner_text()
    summary = main.locator("p:has-text('Onderwijs is voor ieder kind')")
    assert summary.inner_text() == "Onderwijs is voor ieder kind een recht."
    assert summary.locator("strong").inner_text() == "voor ieder kind"
    items = main.locator("ul:has(li:has-text('Thuiszitters'))").locator("li").all_inner_texts()
    assert items == ["Thuiszitters krijgen les", "Scholen zijn toegankelijk"]
    assert main.locator(f'a[href="{LINK}"]').inner_text() == "UNICEF"
    assert FOOTNOTE in body
    # The web page lists the part's source by its (normalised) address, linked; the PDF by its title.
    assert main.locator(f'.fn.sources a[href="{SOURCE}"]').inner_text() == SOURCE
    order = [body.index(title) for title in ("Charlie", "Bravo", "Alfa", "Nieuwe wet op thuisonderwijs")]
    assert order == sorted(order)
    shot("8-public-chapter", "p:has-text('Onderwijs is voor ieder kind')")

    # The stored PDF: the same text, the footnote and the source, and the link as a link annotation.
    path = pdf.file.path
    text = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Onderwijs is voor ieder kind een recht." in flat
    assert "Thuiszitters krijgen les" in flat and "Scholen zijn toegankelijk" in flat
    assert "Lees meer bij UNICEF" in flat
    assert "een wetsvoorstel in.1" in flat and f"1 {FOOTNOTE}" in flat  # the call, and the note at the foot
    assert "BRONNEN CBS, Jeugdmonitor 2025" in flat  # the section's sources at its end (the label in capitals)
    with pikepdf.open(path) as document:
        uris = {
            str(annotation.A.URI)
            for each in document.pages
            for annotation in each.obj.get("/Annots", [])
            if "/A" in annotation and "/URI" in annotation.A
        }
    assert LINK in uris
    assert SOURCE in uris
