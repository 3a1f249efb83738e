"""Rich text shown read-only in the admin reads as formatted text, never as escaped tags or unsanitised HTML."""

import pytest
from django.urls import reverse

from kib.workflow import services
from tests import factories as f
from themes.models import Chapter, KeyFigureParagraph

pytestmark = pytest.mark.django_db


def change_page(client, user, chapter, *sections):
    """The chapter's section pages (the summary's, "stand", unless told), one after the other."""
    client.force_login(user)
    url = reverse("admin:themes_chapter_change", args=[chapter.pk])
    return "".join(client.get(f"{url}?sectie={section}").content.decode() for section in sections or ["stand"])


def test_a_submitted_chapter_shows_its_rich_text_as_html_to_its_editor():
    cast = f.workflow_cast()
    KeyFigureParagraph.objects.create(
        chapter=cast.chapter_a, title="Kengetal", body="<p>Eén <strong>vet</strong> woord</p>"
    )
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    from django.test import Client

    html = change_page(Client(), cast.editor_a, cast.chapter_a, "stand", "kengetallen")
    assert "<p>Tekst van UNICEF</p>" in html  # the chapter's own field
    assert "<strong>vet</strong>" in html  # an inline part of it
    assert "&lt;p&gt;Tekst van UNICEF" not in html and "&lt;strong&gt;" not in html


def test_read_only_rich_text_is_sanitised_again_even_if_the_database_holds_more():
    cast = f.workflow_cast()
    Chapter.objects.filter(pk=cast.chapter_a.pk).update(summary='<p onclick="x()">Tekst</p><script>alert(1)</script>')
    services.submit_chapter(Chapter.objects.get(pk=cast.chapter_a.pk), by=cast.editor_a)
    from django.test import Client

    html = change_page(Client(), cast.editor_a, cast.chapter_a)
    assert "<p>Tekst</p>" in html and "alert(1)" not in html and 'onclick="x()"' not in html


def test_an_editable_chapter_keeps_the_html_source_escaped_in_its_textarea(client):
    cast = f.workflow_cast()
    html = change_page(client, cast.editor_a, cast.chapter_a)
    assert "&lt;p&gt;Tekst van UNICEF&lt;/p&gt;</textarea>" in html
