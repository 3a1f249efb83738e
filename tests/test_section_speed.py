"""What keeps the chapter's section pages fast (issue 11, item 7) without changing what they do.

- A save that succeeds redirects: the review panel (comments, targets, workflow buttons) is read only when the
  page is shown, also when a refused save shows it again.
- The posted rows of a section are validated against the rows its formset has just read, not one query per row;
  an id the formset did not read is still looked up, and a row of another chapter is not touched.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_chapter_sections import cast, open_section, url  # noqa: F401 (the fixture)
from tests.test_permissions import form_data
from themes.admin import ChapterAdmin
from themes.models import Footnote, LatestDevelopment

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel_reads(monkeypatch):
    calls = []
    original = ChapterAdmin.workflow_context

    def counted(self, request, chapter):
        calls.append(request.method)
        return original(self, request, chapter)

    monkeypatch.setattr(ChapterAdmin, "workflow_context", counted)
    return calls


def test_the_review_panel_is_read_when_shown_not_for_a_save_that_redirects(client, cast, panel_reads):  # noqa: F811
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "stand"))
    assert panel_reads == ["GET"]
    data["summary"] = "<p>Nieuw</p>"
    assert client.post(url(cast.chapter_a, "stand"), data).status_code == 302
    assert panel_reads == ["GET"]


def test_a_refused_save_shows_the_page_again_with_its_review_panel(client, cast, panel_reads):  # noqa: F811
    chapter = cast.chapter_a
    mine = form_data(open_section(client, cast.editor_a, chapter, "stand"))
    theirs = form_data(open_section(client, cast.colleague, chapter, "stand"))
    theirs["summary"] = "<p>Van de collega</p>"
    assert client.post(url(chapter, "stand"), theirs).status_code == 302
    client.force_login(cast.editor_a)
    mine["summary"] = "<p>Van mij</p>"
    response = client.post(url(chapter, "stand"), mine)
    assert response.status_code == 200 and "Van mij" in response.content.decode()
    assert panel_reads == ["GET", "GET", "POST"]
    assert "submit" in response.context["workflow_actions"]  # the chapter as stored: a draft, submittable
    assert response.context["audit_entries"] is not None and "review_comments" in response.context
    assert 'name="summary"' in response.content.decode()


def test_saving_a_part_section_reads_no_row_one_by_one(client, cast):  # noqa: F811
    chapter = cast.chapter_a
    for n in range(2, 7):
        Footnote.objects.create(chapter=chapter, marker=str(n), text=f"Noot {n}", position=n)
    data = form_data(open_section(client, cast.editor_a, chapter, "voetnoten"))
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(cast.footnote.pk))[: -len("-id")]
    data[f"{prefix}-text"] = "Bron: CBS, 2025"
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url(chapter, "voetnoten"), data).status_code == 302
    one_by_one = [q["sql"] for q in queries if re.search(r'FROM "themes_footnote" WHERE "themes_footnote"."id" = ', q["sql"])]
    assert one_by_one == []
    cast.footnote.refresh_from_db()
    assert cast.footnote.text == "Bron: CBS, 2025"
    assert Footnote.objects.filter(chapter=chapter).count() == 6


def test_a_posted_row_of_another_chapter_is_not_changed(client, cast):  # noqa: F811
    other = Footnote.objects.create(chapter=cast.chapter_b, marker="9", text="Van een ander hoofdstuk")
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "voetnoten"))
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(cast.footnote.pk))[: -len("-id")]
    data[f"{prefix}-id"] = str(other.pk)
    data[f"{prefix}-text"] = "Gekaapt"
    client.post(url(cast.chapter_a, "voetnoten"), data)
    other.refresh_from_db()
    assert other.text == "Van een ander hoofdstuk" and other.chapter_id == cast.chapter_b.pk


@pytest.mark.parametrize("key", ["kengetallen", "laatste", "ontwikkelingen", "focus"])
def test_a_section_page_loads_the_same_scripts_and_styles_as_the_admin_would(client, cast, key):  # noqa: F811
    from django.contrib.admin import helpers

    from themes.models import Figure, KeyFigureParagraph

    chapter = cast.chapter_a
    figure = Figure.objects.create(chapter=chapter, number=1, title="Figuur")
    for n in range(3):
        KeyFigureParagraph.objects.create(chapter=chapter, title=f"Alinea {n}", body="<p>x</p>", figure=figure, position=n + 1)
    LatestDevelopment.objects.create(chapter=chapter, title="Tweede", body="<p>y</p>", position=2)
    response = open_section(client, cast.editor_a, chapter, key)
    inline_formsets = response.context["inline_admin_formsets"]
    assert inline_formsets, key
    for inline_formset in inline_formsets:
        assert str(inline_formset.media) == str(helpers.InlineAdminFormSet.media.fget(inline_formset))
