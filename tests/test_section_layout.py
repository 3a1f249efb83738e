"""The rough edges of the chapter's section pages: the draft PDF's own page, sections made only of parts,
and a review comment's link to the part it is about. (The layout at 390 and 1280 px is measured in
Chromium: ``tests/e2e/test_chapter_sections.py``.)

The cast: the editor of UNICEF (``cast.editor_a``) writes ``chapter_a``; the editor of Defence for
Children (``cast.editor_b``) may not see it; a coordinator reviews it.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from kib.publication.models import PdfBuild
from kib.workflow.models import ReviewComment
from tests import factories as f
from themes import sections
from themes.models import Definition, LatestDevelopment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    cast.latest = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Nieuwe wet", body="<p>Wet</p>")
    cast.definition = Definition.objects.create(chapter=cast.chapter_a, question="Wat is armoede?", body="<p>x</p>")
    return cast


def section_url(chapter, key):
    return f"{reverse('admin:themes_chapter_change', args=[chapter.pk])}?sectie={key}"


def preview_build(chapter, status, with_file=False):
    build = PdfBuild.objects.create(
        edition=chapter.edition, chapter=chapter, kind=PdfBuild.Kind.PREVIEW, status=status, page_count=3
    )
    if with_file:
        build.file.save("voorbeeld.pdf", ContentFile(b"%PDF-1.7 concept"))
    return build


# -- "Voorbeeld-PDF" lands on a plain page ------------------------------------------------------------


def test_the_bars_voorbeeld_pdf_button_posts_to_the_chapters_own_pdf_page(client, cast):
    client.force_login(cast.editor_a)
    html = client.get(section_url(cast.chapter_a, "laatste")).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" class="workflow-preview">(.*?)</form>', html, re.S)
    assert form is not None
    assert form.group(1) == reverse("chapter_pdf_preview", args=[cast.chapter_a.pk])
    assert 'name="sectie" value="laatste"' in form.group(2)


def test_editor_asking_for_the_draft_pdf_lands_on_a_dutch_page_with_the_download_and_the_way_back(client, cast):
    client.force_login(cast.editor_a)
    response = client.post(reverse("chapter_pdf_preview", args=[cast.chapter_a.pk]), {"sectie": "laatste"})
    build = PdfBuild.objects.get(chapter=cast.chapter_a, kind=PdfBuild.Kind.PREVIEW)
    status_url = reverse("chapter_pdf_preview_status", args=[cast.chapter_a.pk, build.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{status_url}?sectie=laatste"
    assert "/pdfbuild/" not in response["Location"]  # not the technical build page

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert build.status == PdfBuild.Status.DONE  # built at once in the tests
    assert "De voorbeeld-PDF staat klaar." in html
    download = reverse("admin:publication_pdfbuild_download", args=[build.pk])
    assert f'id="pdf-preview-download" href="{download}"' in html
    assert f'href="{section_url(cast.chapter_a, "laatste")}" id="pdf-preview-back"' in html
    assert "Terug naar het hoofdstuk (Laatste ontwikkelingen)" in html
    assert client.get(download)["Content-Type"] == "application/pdf"
    # Asked again with the same text: the same cached preview, no second build.
    again = client.post(reverse("chapter_pdf_preview", args=[cast.chapter_a.pk]))
    assert again["Location"] == status_url
    assert PdfBuild.objects.filter(chapter=cast.chapter_a, kind=PdfBuild.Kind.PREVIEW).count() == 1


def test_a_draft_pdf_being_made_says_so_and_refreshes_itself_without_a_script(client, cast):
    build = preview_build(cast.chapter_a, PdfBuild.Status.RUNNING)
    client.force_login(cast.editor_a)
    html = client.get(reverse("chapter_pdf_preview_status", args=[cast.chapter_a.pk, build.pk])).content.decode()
    assert "De voorbeeld-PDF wordt gemaakt." in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'id="pdf-preview-download"' not in html
    assert "<script>" not in html  # the strict CSP: no inline scripts


def test_a_failed_draft_pdf_says_so_in_dutch_and_offers_to_try_again(client, cast):
    build = preview_build(cast.chapter_a, PdfBuild.Status.FAILED)
    PdfBuild.objects.filter(pk=build.pk).update(error="Traceback (most recent call last): WeasyPrint …")
    client.force_login(cast.editor_a)
    html = client.get(reverse("chapter_pdf_preview_status", args=[cast.chapter_a.pk, build.pk])).content.decode()
    assert "Het maken van de voorbeeld-PDF is niet gelukt." in html
    assert 'id="pdf-preview-retry"' in html
    assert "Traceback" not in html and 'http-equiv="refresh"' not in html


def test_a_ready_build_whose_file_is_gone_is_not_offered_for_download(client, cast):
    build = preview_build(cast.chapter_a, PdfBuild.Status.DONE, with_file=True)
    build.file.storage.delete(build.file.name)
    client.force_login(cast.editor_a)
    html = client.get(reverse("chapter_pdf_preview_status", args=[cast.chapter_a.pk, build.pk])).content.decode()
    assert 'id="pdf-preview-download"' not in html
    assert 'id="pdf-preview-retry"' in html


def test_editor_cannot_ask_for_or_see_another_organisations_draft_pdf(client, cast):
    build = preview_build(cast.chapter_a, PdfBuild.Status.DONE, with_file=True)
    client.force_login(cast.editor_b)
    assert client.post(reverse("chapter_pdf_preview", args=[cast.chapter_a.pk])).status_code == 404
    assert PdfBuild.objects.filter(chapter=cast.chapter_a).count() == 1  # nothing queued for them
    assert client.get(reverse("chapter_pdf_preview_status", args=[cast.chapter_a.pk, build.pk])).status_code == 404


def test_a_build_is_only_shown_under_its_own_chapter(client, cast):
    other = preview_build(cast.chapter_b, PdfBuild.Status.DONE, with_file=True)
    client.force_login(cast.editor_a)
    assert client.get(reverse("chapter_pdf_preview_status", args=[cast.chapter_a.pk, other.pk])).status_code == 404


def test_the_draft_pdf_is_asked_for_with_a_post_only(client, cast):
    client.force_login(cast.editor_a)
    assert client.get(reverse("chapter_pdf_preview", args=[cast.chapter_a.pk])).status_code == 405
    assert not PdfBuild.objects.exists()


def test_anonymous_visitor_is_sent_to_the_login(client, cast):
    response = client.post(reverse("chapter_pdf_preview", args=[cast.chapter_a.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not PdfBuild.objects.exists()


def test_coordinator_may_ask_for_any_chapters_draft_pdf(client, cast):
    client.force_login(cast.coordinator)
    response = client.post(reverse("chapter_pdf_preview", args=[cast.chapter_b.pk]), {"sectie": "bestaat-niet"})
    build = PdfBuild.objects.get(chapter=cast.chapter_b)
    assert response["Location"] == reverse("chapter_pdf_preview_status", args=[cast.chapter_b.pk, build.pk])


# -- a section made only of parts --------------------------------------------------------------------


@pytest.mark.parametrize("key", [s.key for s in sections.SECTIONS if s.parts and not s.fields])
def test_a_section_of_parts_only_has_no_band_with_its_title_but_keeps_the_lock(client, cast, key):
    client.force_login(cast.editor_a)
    html = client.get(section_url(cast.chapter_a, key)).content.decode()
    form = html[html.index('id="chapter_form"') : html.index('class="submit-row"')]
    section = sections.BY_KEY[key]
    assert "fieldset-heading" not in re.sub(r"<details>.*?</details>", "", form, flags=re.S)  # only parts' folds
    assert f">{section.title}</h2>" not in form
    assert re.search(r'<input type="hidden" name="chapter_version" value="\d+"', form)
    if section.help:
        assert str(section.help) in form


def test_a_section_with_own_fields_keeps_its_heading(client, cast):
    client.force_login(cast.editor_a)
    html = client.get(section_url(cast.chapter_a, "stand")).content.decode()
    assert f'class="fieldset-heading">{sections.BY_KEY["stand"].title}</h2>' in html


# -- a review comment's link opens its part ------------------------------------------------------------


def comment_about(cast, part, section_key):
    return ReviewComment.objects.create(
        chapter=cast.chapter_a,
        author=cast.coordinator,
        text="Graag de datum noemen.",
        section=section_key,
        content_type=ContentType.objects.get_for_model(part),
        object_id=part.pk,
        target_repr=str(part),
    )


def test_a_comment_about_a_part_links_to_that_part_on_the_section_page(client, cast):
    comment_about(cast, cast.latest, "laatste")
    client.force_login(cast.editor_a)
    html = client.get(section_url(cast.chapter_a, "laatste")).content.decode()
    anchor = f"onderdeel-latest_developments-{cast.latest.pk}"
    assert f'<a href="#{anchor}" class="review-part-link">Nieuwe wet</a>' in html
    # sections.js finds the part by the id field of its form on this page
    assert re.search(rf'name="latest_developments-\d+-id" value="{cast.latest.pk}"', html)


def test_a_comment_about_the_whole_chapter_or_a_part_elsewhere_has_no_part_link(client, cast):
    ReviewComment.objects.create(chapter=cast.chapter_a, author=cast.coordinator, text="Algemeen")
    comment_about(cast, cast.definition, "focus")
    client.force_login(cast.editor_a)
    laatste = client.get(section_url(cast.chapter_a, "laatste")).content.decode()
    assert "review-part-link" not in laatste
    focus = client.get(section_url(cast.chapter_a, "focus")).content.decode()
    assert f'href="#onderdeel-definitions-{cast.definition.pk}"' in focus
