"""Review in context: comments written and shown in the section of the part they are about,
with a quoted passage; links to that section; approving over open comments needs a confirmation.

The cast: a coordinator (reviews every chapter), a UNICEF editor (writes chapter_a), a
Defence for Children editor (may not see chapter_a).
"""

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from kib.workflow import review, services
from kib.workflow.models import AuditEntry, ReviewComment
from tests import factories as f
from themes import sections
from themes.models import Chapter, Figure, LatestDevelopment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    cast.latest = LatestDevelopment.objects.create(
        chapter=cast.chapter_a, title="Wet kindermishandeling", body="<p>x</p>"
    )
    cast.figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Kinderen in armoede")
    return cast


def section_page(user, chapter, key):
    """The review panel as the section page includes it: ``chapter_review.html`` with ``section``
    (``key=None``: as a page without sections includes it)."""
    request = RequestFactory().get(f"/admin/themes/chapter/{chapter.pk}/change/" + (f"?sectie={key}" if key else ""))
    request.user = user
    chapter_admin = admin.site._registry[Chapter]
    context = {
        "original": chapter,
        "section": sections.BY_KEY[key] if key else None,
        **chapter_admin.workflow_context(request, chapter),
    }
    return render_to_string("admin/workflow/chapter_review.html", context, request=request)


def post_comment(client, user, chapter, **data):
    client.force_login(user)
    return client.post(reverse("admin:themes_chapter_comment", args=[chapter.pk]), data)


def test_comment_written_in_a_section_about_a_part_with_a_quote(client, cast):
    target = review.target_key(cast.latest)
    response = post_comment(
        client,
        cast.coordinator,
        cast.chapter_a,
        sectie="laatste",
        target=target,
        quote="per 1 januari",
        text="Welk jaar?",
    )
    comment = ReviewComment.objects.get()
    assert (comment.section, comment.quote, comment.target) == ("laatste", "per 1 januari", cast.latest)
    change = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk])
    assert response.url == f"{change}?sectie=laatste#comment-{comment.pk}"


def test_section_lists_only_its_own_threads_and_the_whole_chapter_ones(cast):
    services.add_comment(cast.chapter_a, cast.coordinator, "Over de wet", target=cast.latest, quote="<b>per 2026</b>")
    services.add_comment(cast.chapter_a, cast.coordinator, "Over de figuur", target=cast.figure)
    services.add_comment(cast.chapter_a, cast.coordinator, "Samenvatting te lang", section="stand")
    services.add_comment(cast.chapter_a, cast.coordinator, "Algemeen: graag alles nalopen")
    html = section_page(cast.editor_a, cast.chapter_a, "laatste")
    assert "Over de wet" in html and "Algemeen: graag alles nalopen" in html
    assert "Over de figuur" not in html and "Samenvatting te lang" not in html
    assert '<blockquote class="review-quote">&lt;b&gt;per 2026&lt;/b&gt;</blockquote>' in html  # escaped
    assert "(1 open)" in html
    stand = section_page(cast.editor_a, cast.chapter_a, "stand")
    assert "Samenvatting te lang" in stand and "Over de wet" not in stand


def test_section_form_offers_only_that_sections_parts(cast):
    html = section_page(cast.coordinator, cast.chapter_a, "laatste")
    assert f'value="{review.target_key(cast.latest)}"' in html
    assert f'value="{review.target_key(cast.figure)}"' not in html
    assert "Laatste ontwikkeling: Wet kindermishandeling" in html
    assert '<select name="target"' not in html  # radio buttons, not a 48-option dropdown
    assert 'name="sectie" value="laatste"' in html and 'name="quote"' in html


def test_a_part_of_another_section_is_refused_as_target(client, cast):
    response = post_comment(
        client, cast.coordinator, cast.chapter_a, sectie="laatste", target=review.target_key(cast.figure), text="x"
    )
    assert response.status_code == 404
    assert not ReviewComment.objects.exists()


def test_unknown_section_is_refused(client, cast):
    assert post_comment(client, cast.coordinator, cast.chapter_a, sectie="bestaat-niet", text="x").status_code == 404


def test_reply_and_resolve_return_to_the_section(client, cast):
    thread = services.add_comment(cast.chapter_a, cast.coordinator, "Bron?", target=cast.latest, section="laatste")
    response = post_comment(
        client, cast.editor_a, cast.chapter_a, sectie="laatste", parent=thread.pk, text="Toegevoegd."
    )
    assert response.url.endswith(f"?sectie=laatste#comment-{thread.pk}")
    assert thread.replies.get().text == "Toegevoegd."
    response = client.post(
        reverse("admin:themes_chapter_resolve_comment", args=[cast.chapter_a.pk, thread.pk]), {"sectie": "laatste"}
    )
    assert response.url.endswith(f"?sectie=laatste#comment-{thread.pk}")
    thread.refresh_from_db()
    assert thread.is_resolved


def test_without_a_section_the_panel_behaves_as_before(cast):
    services.add_comment(cast.chapter_a, cast.coordinator, "Over de figuur", target=cast.figure, quote="41%")
    html = section_page(cast.coordinator, cast.chapter_a, None)
    assert '<select name="target" id="comment-target">' in html
    assert f'value="{review.target_key(cast.latest)}"' in html and f'value="{review.target_key(cast.figure)}"' in html
    assert "Over de figuur" in html and '<blockquote class="review-quote">41%</blockquote>' in html
    assert "?sectie=kengetallen#comment-" in html  # each thread links to its section


def test_comment_url_points_at_its_section(cast):
    latest = services.add_comment(cast.chapter_a, cast.coordinator, "a", target=cast.latest)  # section from the part
    stand = services.add_comment(cast.chapter_a, cast.coordinator, "b", section="stand")
    whole = services.add_comment(cast.chapter_a, cast.coordinator, "c")
    assert review.url(latest).endswith(f"?sectie=laatste#comment-{latest.pk}")
    assert review.url(stand).endswith(f"?sectie=stand#comment-{stand.pk}")
    assert review.url(whole).endswith(f"?sectie={sections.DEFAULT.key}#comment-{whole.pk}")


def test_my_work_and_dashboard_link_open_comments_to_their_section(client, cast):
    comment = services.add_comment(cast.chapter_a, cast.coordinator, "Welk jaar?", target=cast.latest)
    link = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]) + f"?sectie=laatste#comment-{comment.pk}"
    client.force_login(cast.editor_a)
    assert f'href="{link}"' in client.get(reverse("admin:index")).content.decode()
    client.force_login(cast.coordinator)
    dashboard = client.get(reverse("admin:workflow_dashboard", args=[2025])).content.decode()
    assert f'href="{link}"' in dashboard and "Wet kindermishandeling" in dashboard


def submitted(chapter, editor):
    services.submit_chapter(chapter, by=editor)
    chapter.refresh_from_db()
    return chapter


def test_approving_with_open_comments_is_refused_without_confirmation(cast):
    submitted(cast.chapter_a, cast.editor_a)
    services.add_comment(cast.chapter_a, cast.coordinator, "Nog een bron?")
    services.add_comment(cast.chapter_a, cast.coordinator, "En de datum?", target=cast.latest)
    with pytest.raises(services.OpenComments, match="nog 2 open opmerkingen"):
        services.approve_chapter(cast.chapter_a, by=cast.coordinator_2, seen_version=cast.chapter_a.version)
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == Chapter.State.SUBMITTED


def test_approving_despite_open_comments_is_recorded_in_the_log(cast):
    submitted(cast.chapter_a, cast.editor_a)
    services.add_comment(cast.chapter_a, cast.coordinator, "Nog een bron?")
    services.add_comment(cast.chapter_a, cast.coordinator, "Opgelost", target=cast.latest)
    services.resolve_comment(ReviewComment.objects.get(text="Opgelost"), cast.editor_a)
    services.approve_chapter(
        cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version, despite_open_comments=True
    )
    entry = AuditEntry.objects.for_object(cast.chapter_a).first()
    assert (entry.action, entry.comment) == ("approve", "Goedgekeurd ondanks 1 open opmerking.")


def test_approving_without_open_comments_needs_no_confirmation(cast):
    submitted(cast.chapter_a, cast.editor_a)
    services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version)
    assert AuditEntry.objects.for_object(cast.chapter_a).first().comment == ""


def test_approve_button_with_open_comments_asks_a_second_step(client, cast):
    submitted(cast.chapter_a, cast.editor_a)
    services.add_comment(cast.chapter_a, cast.coordinator, "Klopt dit cijfer?", target=cast.latest)
    client.force_login(cast.coordinator)
    url = reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, "approve"])
    page = client.post(url, {"seen_version": cast.chapter_a.version})
    html = page.content.decode()
    assert page.status_code == 200 and "Goedkeuren ondanks 1 open opmerking" in html
    assert "Klopt dit cijfer?" in html and "?sectie=laatste#comment-" in html
    # Sent without ticking the box: refused, with the reason, the chapter stays submitted.
    page = client.post(url, {"seen_version": cast.chapter_a.version, "confirming": "1"}, follow=True)
    assert "nog 1 open opmerking" in page.content.decode()
    assert Chapter.objects.get(pk=cast.chapter_a.pk).state == Chapter.State.SUBMITTED
    response = client.post(
        url, {"seen_version": cast.chapter_a.version, "confirming": "1", "despite_open_comments": "1"}
    )
    assert response.status_code == 302
    assert Chapter.objects.get(pk=cast.chapter_a.pk).state == Chapter.State.APPROVED
    assert AuditEntry.objects.for_object(cast.chapter_a).first().comment == "Goedgekeurd ondanks 1 open opmerking."


def test_editor_of_another_organisation_cannot_comment(client, cast):
    response = post_comment(client, cast.editor_b, cast.chapter_a, sectie="laatste", text="Hallo")
    assert response.status_code == 404
    assert not ReviewComment.objects.exists()
