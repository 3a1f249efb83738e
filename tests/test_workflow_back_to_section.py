"""A workflow button brings the person back to the section they pressed it on, not to the chapter's first.

The bar with "Indienen ter beoordeling", "Goedkeuren" … stays in view on every section page; its
forms carry the section shown (``sectie``), and the workflow view sends the person back there. An
unknown section (or none) goes to the chapter page as before.
"""

import pytest
from django.urls import reverse

from kib.workflow import services
from tests import factories as f
from themes.models import Chapter

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


def test_the_bar_on_a_section_page_sends_its_section_along(client, cast):
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    html = client.get(f"{url}?sectie=laatste").content.decode()
    submit = html[html.index(reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, "submit"])):]
    assert '<input type="hidden" name="sectie" value="laatste">' in submit[: submit.index("</form>")]


def test_submitting_from_a_section_returns_to_that_section(client, cast):
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, "submit"])
    response = client.post(url, {"sectie": "laatste"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]) + "?sectie=laatste"
    assert Chapter.objects.get(pk=cast.chapter_a.pk).state == Chapter.State.SUBMITTED


def test_approving_with_an_unknown_section_returns_to_the_chapter(client, cast):
    services.submit_chapter(Chapter.objects.get(pk=cast.chapter_a.pk), by=cast.editor_a)
    chapter = Chapter.objects.get(pk=cast.chapter_a.pk)
    client.force_login(cast.coordinator)
    url = reverse("admin:themes_chapter_workflow", args=[chapter.pk, "approve"])
    response = client.post(url, {"sectie": "<script>", "seen_version": chapter.version})
    assert response["Location"] == reverse("admin:themes_chapter_change", args=[chapter.pk])
    assert Chapter.objects.get(pk=chapter.pk).state == Chapter.State.APPROVED
