"""The chapter page links to what exists: the draft PDF preview for whoever may see the chapter,
and "Weergeven op website" only once the chapter is on the website (never a draft's 404)."""

import pytest

from kib.publication.models import PdfBuild
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_editor_sees_voorbeeld_pdf_and_no_website_link_on_a_draft(client):
    cast = f.workflow_cast()
    client.force_login(cast.editor_a)
    html = client.get(f"/admin/themes/chapter/{cast.chapter_a.pk}/change/").content.decode()
    assert 'id="preview-pdf"' in html
    assert "viewsitelink" not in html
    assert cast.chapter_a.get_absolute_url() not in html
    # The draft's public address answers 404, so nothing may point there.
    assert client.get(cast.chapter_a.get_absolute_url()).status_code == 404


def test_voorbeeld_pdf_requests_the_draft_preview_of_this_chapter(client):
    cast = f.workflow_cast()
    client.force_login(cast.editor_a)
    response = client.post(
        "/admin/publication/pdfbuild/preview/", {"edition": cast.edition.pk, "chapter": cast.chapter_a.pk}
    )
    build = PdfBuild.objects.get(chapter=cast.chapter_a, kind=PdfBuild.Kind.PREVIEW)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/publication/pdfbuild/{build.pk}/change/"
    # Asked again with the same text: the same preview, not a second build.
    client.post("/admin/publication/pdfbuild/preview/", {"edition": cast.edition.pk, "chapter": cast.chapter_a.pk})
    assert PdfBuild.objects.filter(chapter=cast.chapter_a, kind=PdfBuild.Kind.PREVIEW).count() == 1


def test_editor_cannot_preview_another_organisations_chapter(client):
    cast = f.workflow_cast()
    client.force_login(cast.editor_a)
    response = client.post(
        "/admin/publication/pdfbuild/preview/", {"edition": cast.edition.pk, "chapter": cast.chapter_b.pk}
    )
    assert response.status_code == 403
    assert not PdfBuild.objects.filter(chapter=cast.chapter_b).exists()


def test_a_published_chapter_links_to_the_website(client):
    cast = f.workflow_cast()
    f.publish(cast.edition)
    client.force_login(cast.coordinator)
    html = client.get(f"/admin/themes/chapter/{cast.chapter_a.pk}/change/").content.decode()
    assert "viewsitelink" in html
