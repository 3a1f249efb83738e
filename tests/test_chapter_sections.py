"""The chapter's admin page in sections (``themes.sections``): one section per page, shown and saved alone.

The cast: the editor of UNICEF (``cast.editor_a``) writes ``chapter_a``; a colleague of UNICEF opens the
same section; a coordinator adds chapters. On the demo: every section page of UNICEF's chapters stays
within 25 queries and 120 KB.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import DataGap
from kib.models import Source
from kib.workflow import services
from kib.workflow.models import ReviewComment
from tests import factories as f
from tests.test_permissions import form_data
from themes import sections
from themes.models import (
    Chapter,
    ChapterRecommendation,
    Citation,
    Definition,
    DevelopmentGroup,
    Footnote,
    LatestDevelopment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    chapter = cast.chapter_a
    Chapter.objects.filter(pk=chapter.pk).update(focus="Armoede", intro_question="Hoe gaat het?")
    cast.definition = Definition.objects.create(chapter=chapter, question="Wat is armoede?", body="<p>Oud</p>")
    cast.latest = LatestDevelopment.objects.create(chapter=chapter, title="Nieuwe wet", body="<p>Wet</p>", territory="BON")
    cast.footnote = Footnote.objects.create(chapter=chapter, marker="1", text="Bron: CBS")
    cast.colleague = f.editor(cast.unicef, username="tweede-redacteur-unicef")
    chapter.refresh_from_db()
    return cast


def url(chapter, key=None):
    base = reverse("admin:themes_chapter_change", args=[chapter.pk])
    return f"{base}?sectie={key}" if key else base


def open_section(client, user, chapter, key):
    client.force_login(user)
    return client.get(url(chapter, key))


def test_a_section_page_shows_only_that_sections_fields_and_parts(client, cast):
    response = open_section(client, cast.editor_a, cast.chapter_a, "stand")
    assert set(response.context["adminform"].form.fields) == {"intro_question", "summary", "chapter_version"}
    assert response.context["inline_admin_formsets"] == []
    response = client.get(url(cast.chapter_a, "laatste"))
    assert set(response.context["adminform"].form.fields) == {"chapter_version"}
    assert [f.formset.model for f in response.context["inline_admin_formsets"]] == [LatestDevelopment]
    response = client.get(url(cast.chapter_a, "voetnoten"))
    assert [f.formset.model for f in response.context["inline_admin_formsets"]] == [Footnote]


def test_without_or_with_an_unknown_section_the_page_opens_the_default_section(client, cast):
    for page in (url(cast.chapter_a), url(cast.chapter_a, "bestaat-niet")):
        response = open_section(client, cast.editor_a, cast.chapter_a, None) if page == url(cast.chapter_a) else client.get(page)
        assert response.context["section"] == sections.DEFAULT
        assert set(response.context["adminform"].form.fields) == {*sections.DEFAULT.fields, "chapter_version"}


def test_saving_a_section_leaves_the_other_sections_as_they_were(client, cast):
    chapter = cast.chapter_a
    focus_page = form_data(open_section(client, cast.editor_a, chapter, "focus"))
    data = form_data(client.get(url(chapter, "stand")))
    data["summary"] = "<p>Nieuwe stand</p>"
    # A crafted post with another section's field and inline: not part of this section, so not saved.
    data["focus"] = "Gekaapt"
    prefix = next(k for k, v in focus_page.items() if k.endswith("-id") and v == str(cast.definition.pk))[: -len("-id")]
    data.update({k: v for k, v in focus_page.items() if k.startswith(prefix.split("-")[0])})
    data[f"{prefix}-body"] = "<p>Gekaapt</p>"
    assert client.post(url(chapter, "stand"), data).status_code == 302
    chapter.refresh_from_db()
    cast.definition.refresh_from_db()
    cast.latest.refresh_from_db()
    assert chapter.summary == "<p>Nieuwe stand</p>" and chapter.version == 2
    assert (chapter.focus, chapter.intro_question) == ("Armoede", "Hoe gaat het?")
    assert cast.definition.body == "<p>Oud</p>" and cast.latest.body == "<p>Wet</p>"
    assert list(Footnote.objects.filter(chapter=chapter).values_list("text", flat=True)) == ["Bron: CBS"]


def test_saving_a_part_section_saves_its_parts_only(client, cast):
    chapter = cast.chapter_a
    data = form_data(open_section(client, cast.editor_a, chapter, "laatste"))
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(cast.latest.pk))[: -len("-id")]
    data[f"{prefix}-title"] = "Nieuwe wet aangenomen"
    assert client.post(url(chapter, "laatste"), data).status_code == 302
    cast.latest.refresh_from_db()
    chapter.refresh_from_db()
    assert cast.latest.title == "Nieuwe wet aangenomen" and chapter.summary == "<p>Tekst van UNICEF</p>"


def test_two_people_saving_the_same_section_the_second_is_refused_and_keeps_their_text(client, cast):
    chapter = cast.chapter_a
    mine = form_data(open_section(client, cast.editor_a, chapter, "stand"))
    theirs = form_data(open_section(client, cast.colleague, chapter, "stand"))
    theirs["summary"] = "<p>Tekst van de collega</p>"
    assert client.post(url(chapter, "stand"), theirs).status_code == 302

    client.force_login(cast.editor_a)
    mine["summary"] = "<p>Mijn uitgebreide tekst</p>"
    response = client.post(url(chapter, "stand"), mine)
    assert response.status_code == 200 and response.context["section"].key == "stand"
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "opgeslagen nadat u het opende" in errors and "tweede-redacteur-unicef" in errors
    assert "Mijn uitgebreide tekst" in response.content.decode()
    chapter.refresh_from_db()
    assert chapter.summary == "<p>Tekst van de collega</p>"


def test_two_people_saving_the_same_part_section_the_second_is_refused(client, cast):
    chapter = cast.chapter_a
    mine = form_data(open_section(client, cast.editor_a, chapter, "laatste"))
    theirs = form_data(open_section(client, cast.colleague, chapter, "laatste"))
    prefix = next(k for k, v in theirs.items() if k.endswith("-id") and v == str(cast.latest.pk))[: -len("-id")]
    theirs[f"{prefix}-body"] = "<p>Van de collega</p>"
    assert client.post(url(chapter, "laatste"), theirs).status_code == 302
    client.force_login(cast.editor_a)
    mine[f"{prefix}-body"] = "<p>Van mij</p>"
    response = client.post(url(chapter, "laatste"), mine)
    assert response.status_code == 200 and "Van mij" in response.content.decode()
    cast.latest.refresh_from_db()
    assert cast.latest.body == "<p>Van de collega</p>"


def test_save_and_continue_returns_to_the_same_section_and_next_opens_the_following(client, cast):
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "stand"))
    response = client.post(url(cast.chapter_a, "stand"), {**data, "_continue": "1"})
    assert response.status_code == 302 and response["Location"] == url(cast.chapter_a, "stand")
    data = form_data(client.get(url(cast.chapter_a, "stand")))
    response = client.post(url(cast.chapter_a, "stand"), {**data, "_nextsection": "1"})
    assert response.status_code == 302 and response["Location"] == url(cast.chapter_a, "kengetallen")
    assert 'name="_nextsection"' in client.get(url(cast.chapter_a, "stand")).content.decode()
    assert 'name="_nextsection"' not in client.get(url(cast.chapter_a, "voetnoten")).content.decode()


def test_navigator_lists_the_twelve_sections_with_counts_open_comments_and_what_is_missing(client, cast):
    services.add_comment(cast.chapter_a, cast.coordinator, "Bron?", target=cast.latest)
    services.add_comment(cast.chapter_a, cast.coordinator, "Algemeen punt")
    response = open_section(client, cast.editor_a, cast.chapter_a, "laatste")
    nav = {item.section.key: item for item in response.context["navigator"]}
    assert list(nav) == [s.key for s in sections.SECTIONS]
    assert [key for key, item in nav.items() if item.current] == ["laatste"]
    assert (nav["laatste"].items, nav["focus"].items, nav["voetnoten"].items, nav["stand"].items) == (1, 1, 1, 0)
    assert nav["laatste"].open_comments == 1 and sum(i.open_comments for i in nav.values()) == 1
    assert any("kengetallen" in gap for gap in nav["kengetallen"].missing)
    assert not nav["focus"].missing  # focus is filled in
    html = response.content.decode()
    nav_html = html[html.index('class="section-nav"') : html.index("</nav>", html.index('class="section-nav"'))]
    assert nav_html.count('aria-current="page"') == 1 and nav_html.count("<li>") == 12
    assert f'href="{url(cast.chapter_a, "laatste")}" aria-current="page"' in html


def test_bar_shows_changes_requested_deadline_in_words_version_and_the_preview(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    services.request_changes(cast.chapter_a, by=cast.coordinator, comment="Meer bronnen graag.")
    response = open_section(client, cast.editor_a, cast.chapter_a, "stand")
    html = response.content.decode()
    assert 'class="chapter-bar"' in html and "wijzigingen gevraagd" in html
    assert 'id="workflow-submit"' in html and 'id="preview-pdf"' in html
    assert 'id="review-comments"' in html  # the comments beside the section
    assert response.context["section"].key == "stand"


def test_caribbean_section_lists_the_parts_about_the_islands_with_a_link_to_where_they_are_edited(client, cast):
    LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Alleen Nederland", territory="NL")
    response = open_section(client, cast.editor_a, cast.chapter_a, "caribisch")
    rows = response.context["caribbean_parts"]
    assert [(row.label, row.territory) for row in rows] == [("Nieuwe wet", "Bonaire")]
    assert rows[0].url == url(cast.chapter_a, "laatste") + "#latest_developments-group"
    assert response.context["inline_admin_formsets"] == []


def test_footnote_section_lists_the_chapters_cited_sources(client, cast):
    source = Source.objects.create(url="https://www.cbs.nl/armoede", title="Armoede in cijfers", publisher="CBS")
    Citation.objects.create(
        chapter=cast.chapter_a, source=source, content_type=ContentType.objects.get_for_model(LatestDevelopment),
        object_id=cast.latest.pk,
    )
    html = open_section(client, cast.editor_a, cast.chapter_a, "voetnoten").content.decode()
    assert "Armoede in cijfers" in html and 'href="https://www.cbs.nl/armoede"' in html
    assert f'href="{url(cast.chapter_a, "laatste")}"' in html


def test_development_group_codes_are_the_chapters_own_recommendations(client, cast):
    chapter = cast.chapter_a
    own = f.recommendation("15b", text="<p>Zorg dat elk kind naar school kan.</p>")
    other = f.recommendation("22d", co=own.concluding_observations, text="<p>Iets anders.</p>")
    ChapterRecommendation.objects.create(chapter=chapter, recommendation=own)
    group = DevelopmentGroup.objects.create(chapter=chapter, kind="policy", title="Onderwijs")
    response = open_section(client, cast.editor_a, chapter, "ontwikkelingen")
    [inline] = response.context["inline_admin_formsets"]
    field = inline.formset.forms[0].fields["recommendations"]
    assert [pk for pk, _label in field.choices] == [own.pk]
    assert field.choices[0][1].startswith("15b – Zorg dat elk kind")
    data = form_data(response)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(group.pk))[: -len("-id")]

    data[f"{prefix}-recommendations"] = [str(other.pk)]  # not this chapter's: refused, in Dutch
    response = client.post(url(chapter, "ontwikkelingen"), data)
    assert response.status_code == 200 and "Kies alleen aanbevelingen van dit hoofdstuk" in response.content.decode()
    assert list(group.recommendations.all()) == []

    data[f"{prefix}-recommendations"] = [str(own.pk)]
    assert client.post(url(chapter, "ontwikkelingen"), data).status_code == 302
    assert list(group.recommendations.all()) == [own]


def test_development_group_page_offers_the_chapters_codes_and_a_way_back(client, cast):
    own = f.recommendation("15b")
    f.recommendation("22d", co=own.concluding_observations)
    ChapterRecommendation.objects.create(chapter=cast.chapter_a, recommendation=own)
    group = DevelopmentGroup.objects.create(chapter=cast.chapter_a, kind="policy", title="Onderwijs")
    client.force_login(cast.editor_a)
    response = client.get(reverse("admin:themes_developmentgroup_change", args=[group.pk]))
    assert [pk for pk, _label in response.context["adminform"].form.fields["recommendations"].choices] == [own.pk]
    assert f'href="{url(cast.chapter_a, "ontwikkelingen")}" id="back-to-section"' in response.content.decode()


def test_the_add_page_asks_for_the_assignment_only(client, cast):
    client.force_login(cast.coordinator)
    response = client.get(reverse("admin:themes_chapter_add"))
    assert set(response.context["adminform"].form.fields) == set(sections.BY_KEY["algemeen"].fields)
    assert response.context["inline_admin_formsets"] == []


def test_a_data_gap_is_edited_in_its_section(client, cast):
    DataGap.objects.create(chapter=cast.chapter_a, description="Geen cijfers over dakloze kinderen")
    response = open_section(client, cast.editor_a, cast.chapter_a, "blinde-vlekken")
    assert [f.formset.model for f in response.context["inline_admin_formsets"]] == [DataGap]


def test_comment_counts_ignore_resolved_comments(client, cast):
    services.add_comment(cast.chapter_a, cast.coordinator, "Bron?", target=cast.latest)
    ReviewComment.objects.update(resolved_at="2025-01-01T00:00Z")
    response = open_section(client, cast.editor_a, cast.chapter_a, "laatste")
    assert all(item.open_comments == 0 for item in response.context["navigator"])


# -- the demo: queries and size per section page, as UNICEF's editor -----------------------------


MAX_QUERIES = 25
MAX_BYTES = 120_000


def test_every_section_page_of_the_editors_chapters_is_small_and_cheap(client, demo_db):
    from django.contrib.auth import get_user_model

    from kib.demo.cycle import run_cycle
    from kib.workflow import scoping

    run_cycle()  # the demo as `make run` shows it: 2025 in preparation, the accounts in their roles
    editor = get_user_model().objects.get(username="redacteur-unicef")
    client.force_login(editor)
    chapters = list(scoping.visible_chapters(editor))
    assert chapters
    measured = {}
    for chapter in chapters:
        for section in sections.SECTIONS:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(chapter, section.key))
            assert response.status_code == 200, (chapter.pk, section.key, response.content[:300])
            measured[chapter.pk, section.key] = (len(queries), len(response.content))
    too_many = {key: value for key, value in measured.items() if value[0] > MAX_QUERIES or value[1] > MAX_BYTES}
    assert not too_many, too_many
