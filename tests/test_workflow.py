"""The editorial workflow as service functions: chapter states, the publish gate, corrections, the next edition."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from indicators.models import DataGap
from kib.models import Edition, Source
from kib.workflow import roles, scoping, services
from kib.workflow.models import AuditEntry, EditionCorrection, ReviewComment
from kib.workflow.signals import correction_closed, edition_published
from tests import factories as f
from themes.models import (
    Chapter,
    ChapterRecommendation,
    Citation,
    DevelopmentGroup,
    DevelopmentItem,
    Figure,
    Footnote,
    KeyFigureParagraph,
)

pytestmark = pytest.mark.django_db
State = Chapter.State


@pytest.fixture
def cast():
    return f.workflow_cast()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what waits for the commit (the mail) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def submitted(chapter, by):
    services.submit_chapter(chapter, by=by)
    chapter.refresh_from_db()
    return chapter


def approved(chapter, editor, coordinator):
    submitted(chapter, editor)
    services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)
    chapter.refresh_from_db()
    return chapter


def audit_actions(obj):
    return list(AuditEntry.objects.for_object(obj).order_by("at", "pk").values_list("action", flat=True))


# -- roles ----------------------------------------------------------------------


def test_roles_are_created_by_the_migration_with_their_permissions():
    editor, coordinator, administrator = (
        Group.objects.get(name=n) for n in (roles.EDITOR, roles.COORDINATOR, roles.ADMINISTRATOR)
    )
    codes = {g: set(g.permissions.values_list("codename", flat=True)) for g in (editor, coordinator, administrator)}
    assert {"change_chapter", "submit_chapter", "change_figure"} <= codes[editor]
    assert not {"review_chapter", "publish_edition", "add_chapter", "see_all_chapters"} & codes[editor]
    assert {"review_chapter", "publish_edition", "add_chapter", "see_all_chapters"} <= codes[coordinator]
    assert {"change_user", "change_organisation", "see_all_chapters"} <= codes[administrator]
    assert not {"change_chapter", "review_chapter"} & codes[administrator]


# -- chapter states -------------------------------------------------------------


def test_editor_submits_own_draft_and_the_coordinators_hear_of_it(cast, committed):
    with committed():
        entry = services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    mails = mail.outbox
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.SUBMITTED
    assert (entry.user, entry.from_state, entry.to_state, entry.action) == (
        cast.editor_a,
        "draft",
        "submitted",
        "submit",
    )
    assert sorted(m.to[0] for m in mails) == ["coordinator2@example.org", "coordinator@example.org"]
    assert "Ingediend" in mails[0].subject and f"/admin/themes/chapter/{cast.chapter_a.pk}/change/" in mails[0].body


def test_editor_cannot_submit_another_organisations_chapter(cast):
    with pytest.raises(PermissionDenied):
        services.submit_chapter(cast.chapter_b, by=cast.editor_a)
    cast.chapter_b.refresh_from_db()
    assert cast.chapter_b.state == State.DRAFT and not audit_actions(cast.chapter_b)


def test_submitting_twice_is_refused(cast):
    submitted(cast.chapter_a, cast.editor_a)
    with pytest.raises(services.WorkflowError, match="ingediend"):
        services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    assert audit_actions(cast.chapter_a) == ["submit"]


def test_coordinator_requests_changes_with_a_comment_the_editors_receive(cast, committed):
    submitted(cast.chapter_a, cast.editor_a)
    with committed():
        services.request_changes(cast.chapter_a, by=cast.coordinator, comment="Graag de cijfers van 2024 toevoegen.")
    mails = mail.outbox
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.DRAFT
    entry = AuditEntry.objects.for_object(cast.chapter_a).first()
    assert (entry.action, entry.from_state, entry.to_state, entry.comment) == (
        "request_changes",
        "submitted",
        "draft",
        "Graag de cijfers van 2024 toevoegen.",
    )
    assert ReviewComment.objects.open().get(chapter=cast.chapter_a).text == "Graag de cijfers van 2024 toevoegen."
    assert [m.to for m in mails] == [["redactie@unicef.example.org"]]
    assert "Graag de cijfers van 2024 toevoegen." in mails[0].body


def test_request_changes_without_a_comment_is_refused(cast):
    submitted(cast.chapter_a, cast.editor_a)
    with pytest.raises(services.WorkflowError):
        services.request_changes(cast.chapter_a, by=cast.coordinator, comment="  ")
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.SUBMITTED


@pytest.mark.parametrize("who", ["editor_a", "editor_b", "administrator"])
def test_only_coordinators_approve_or_request_changes(cast, who):
    submitted(cast.chapter_a, cast.editor_a)
    with pytest.raises(PermissionDenied):
        services.approve_chapter(cast.chapter_a, by=getattr(cast, who), seen_version=cast.chapter_a.version)
    with pytest.raises(PermissionDenied):
        services.request_changes(cast.chapter_a, by=getattr(cast, who), comment="Nee.")
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.SUBMITTED and audit_actions(cast.chapter_a) == ["submit"]


def test_coordinator_approves_the_revision_they_looked_at_and_the_editors_hear_of_it(cast, committed):
    submitted(cast.chapter_a, cast.editor_a)
    with committed():
        services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version)
    mails = mail.outbox
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.APPROVED
    assert audit_actions(cast.chapter_a) == ["submit", "approve"]
    assert [m.to for m in mails] == [["redactie@unicef.example.org"]] and "Goedgekeurd" in mails[0].subject


def test_approval_is_refused_when_the_chapter_changed_after_the_coordinator_opened_it(cast):
    submitted(cast.chapter_a, cast.editor_a)
    seen = cast.chapter_a.version
    services.record_revision(cast.chapter_a.pk, cast.coordinator_2)  # a colleague saved a correction meanwhile
    with pytest.raises(services.ChapterChanged, match="gewijzigd nadat u het opende"):
        services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=seen)
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.SUBMITTED and audit_actions(cast.chapter_a) == ["submit"]


def test_coordinator_does_not_approve_a_revision_they_wrote_themselves(cast):
    services.record_revision(cast.chapter_a.pk, cast.coordinator)
    submitted(cast.chapter_a, cast.editor_a)
    for step in (
        lambda: services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version),
        lambda: services.request_changes(cast.chapter_a, by=cast.coordinator, comment="Zelf gedaan"),
    ):
        with pytest.raises(services.WorkflowError, match="zelf"):
            step()
    services.approve_chapter(cast.chapter_a, by=cast.coordinator_2, seen_version=cast.chapter_a.version)
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.APPROVED


@override_settings(KIB_FOUR_EYES=False)
def test_a_one_person_secretariat_may_switch_four_eyes_off(cast):
    services.record_revision(cast.chapter_a.pk, cast.coordinator)
    submitted(cast.chapter_a, cast.editor_a)
    services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version)
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.APPROVED


def test_coordinator_reopens_an_approved_chapter(cast):
    approved(cast.chapter_a, cast.editor_a, cast.coordinator)
    services.reopen_chapter(cast.chapter_a, by=cast.coordinator, comment="Nieuwe cijfers van het CBS.")
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.state == State.DRAFT
    assert audit_actions(cast.chapter_a) == ["submit", "approve", "reopen"]
    with pytest.raises(services.WorkflowError):
        services.reopen_chapter(cast.chapter_a, by=cast.coordinator)


def test_editors_edit_only_drafts_of_their_organisation_and_coordinators_until_approval(cast):
    assert scoping.can_edit_chapter(cast.editor_a, cast.chapter_a)
    assert not scoping.can_edit_chapter(cast.editor_b, cast.chapter_a)
    submitted(cast.chapter_a, cast.editor_a)
    assert not scoping.can_edit_chapter(cast.editor_a, cast.chapter_a)
    assert scoping.can_edit_chapter(cast.coordinator, cast.chapter_a)
    services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version)
    cast.chapter_a.refresh_from_db()
    assert not scoping.can_edit_chapter(cast.coordinator, cast.chapter_a)
    assert set(scoping.editable_chapters(cast.editor_a)) == set()
    assert set(scoping.editable_chapters(cast.coordinator)) == {cast.chapter_b}


def test_contributing_organisations_edit_too(cast):
    cast.chapter_b.contributing_organisations.add(cast.unicef)
    assert scoping.can_edit_chapter(cast.editor_a, cast.chapter_b)
    assert set(scoping.visible_chapters(cast.editor_a)) == {cast.chapter_a, cast.chapter_b}
    assert set(scoping.visible_chapters(cast.editor_b)) == {cast.chapter_b}


# -- comments -------------------------------------------------------------------


def test_comments_on_an_item_replies_and_resolving(cast, committed):
    figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Aantal meldingen")
    with committed():
        comment = services.add_comment(cast.chapter_a, cast.coordinator, "Bron ontbreekt.", target=figure)
        reply = services.add_comment(cast.chapter_a, cast.editor_a, "Toegevoegd.", parent=comment)
    assert (comment.target, comment.target_repr) == (figure, "Figuur 1. Aantal meldingen")
    recipients = sorted(to for m in mail.outbox for to in m.to)
    assert reply.parent == comment and recipients == [
        "coordinator2@example.org",
        "coordinator@example.org",
        "redactie@unicef.example.org",
    ]
    assert ReviewComment.objects.open().count() == 1
    services.resolve_comment(comment, cast.editor_a)
    assert ReviewComment.objects.open().count() == 0
    with pytest.raises(services.WorkflowError):
        services.resolve_comment(comment, cast.coordinator)


def test_editor_cannot_comment_on_another_organisations_chapter(cast):
    with pytest.raises(PermissionDenied):
        services.add_comment(cast.chapter_b, cast.editor_a, "Hallo")
    assert not ReviewComment.objects.exists()


# -- the publish gate -----------------------------------------------------------


def test_publishing_needs_every_chapter_approved(cast):
    approved(cast.chapter_a, cast.editor_a, cast.coordinator)
    with pytest.raises(services.WorkflowError, match="Nog niet goedgekeurd"):
        services.publish_edition(cast.edition, by=cast.coordinator)
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION and not audit_actions(cast.edition)


def test_publishing_freezes_the_edition_once(cast):
    approved(cast.chapter_a, cast.editor_a, cast.coordinator)
    approved(cast.chapter_b, cast.editor_b, cast.coordinator)
    received = []
    edition_published.connect(lambda **kw: received.append(kw["edition"].pk), weak=False, dispatch_uid="test")
    try:
        services.publish_edition(cast.edition, by=cast.coordinator)
    finally:
        edition_published.disconnect(dispatch_uid="test")
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PUBLISHED and cast.edition.published_at and cast.edition.publication_date
    assert received == [cast.edition.pk] and audit_actions(cast.edition) == ["publish"]
    assert scoping.is_frozen(cast.edition)
    for user in (cast.editor_a, cast.coordinator, f.user(is_superuser=True)):
        assert not scoping.can_edit_chapter(user, cast.chapter_a)
    with pytest.raises(services.WorkflowError, match="al gepubliceerd"):
        services.publish_edition(cast.edition, by=cast.coordinator)
    with pytest.raises(services.WorkflowError, match="gepubliceerd"):
        services.reopen_chapter(cast.chapter_a, by=cast.coordinator)
    assert audit_actions(cast.edition) == ["publish"]


def test_a_failing_handover_leaves_the_edition_as_it_was(cast):
    approved(cast.chapter_a, cast.editor_a, cast.coordinator)
    approved(cast.chapter_b, cast.editor_b, cast.coordinator)

    def pdf_build_fails(**kwargs):
        raise RuntimeError("PDF-bouw niet beschikbaar")

    edition_published.connect(pdf_build_fails, weak=False, dispatch_uid="test-fails")
    try:
        with pytest.raises(RuntimeError):
            services.publish_edition(cast.edition, by=cast.coordinator)
    finally:
        edition_published.disconnect(dispatch_uid="test-fails")
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION and cast.edition.published_at is None
    assert not audit_actions(cast.edition)


def test_editors_cannot_publish(cast):
    approved(cast.chapter_a, cast.editor_a, cast.coordinator)
    approved(cast.chapter_b, cast.editor_b, cast.coordinator)
    with pytest.raises(PermissionDenied):
        services.publish_edition(cast.edition, by=cast.editor_a)
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION


def test_a_correction_opens_the_frozen_edition_to_coordinators_only(cast):
    f.publish(cast.edition, by=cast.coordinator)
    with pytest.raises(services.WorkflowError):
        services.open_correction(cast.edition, by=cast.coordinator, reason="")
    with pytest.raises(PermissionDenied):
        services.open_correction(cast.edition, by=cast.editor_a, reason="Typfout")
    closed = []
    correction_closed.connect(lambda **kw: closed.append(kw["correction"].pk), weak=False, dispatch_uid="test")
    try:
        correction = services.open_correction(cast.edition, by=cast.coordinator, reason="Typfout in figuur 3")
        assert not scoping.is_frozen(cast.edition)
        assert scoping.can_edit_chapter(cast.coordinator, cast.chapter_a)
        assert not scoping.can_edit_chapter(cast.editor_a, cast.chapter_a)
        with pytest.raises(services.WorkflowError, match="al een correctie"):
            services.open_correction(cast.edition, by=cast.coordinator, reason="Nog een")
        services.close_correction(cast.edition, by=cast.coordinator)
    finally:
        correction_closed.disconnect(dispatch_uid="test")
    assert closed == [correction.pk] and scoping.is_frozen(cast.edition)
    assert audit_actions(cast.edition) == ["publish", "open_correction", "close_correction"]
    assert EditionCorrection.objects.get().closed_by == cast.coordinator
    with pytest.raises(services.WorkflowError):
        services.close_correction(cast.edition, by=cast.coordinator)


def test_no_correction_for_an_edition_in_preparation(cast):
    with pytest.raises(services.WorkflowError):
        services.open_correction(cast.edition, by=cast.coordinator, reason="Typfout")
    assert not EditionCorrection.objects.exists()


# -- the next edition -----------------------------------------------------------


def test_next_edition_copies_chapters_as_drafts_with_text_links_and_assignments(cast):
    ed = cast.edition
    ed.reporting_period_start, ed.reporting_period_end = datetime.date(2024, 3, 1), datetime.date(2025, 2, 28)
    ed.save()
    chapter = cast.chapter_a
    Chapter.objects.filter(pk=chapter.pk).update(deadline=datetime.date(2025, 5, 1))
    chapter.contributing_organisations.add(cast.defence)
    rec = f.recommendation("15b")
    ChapterRecommendation.objects.create(chapter=chapter, recommendation=rec)
    figure = Figure.objects.create(chapter=chapter, number=1, title="Meldingen", source_line="CBS")
    block = KeyFigureParagraph.objects.create(chapter=chapter, title="Kengetal", body="<p>6.351</p>", figure=figure)
    group = DevelopmentGroup.objects.create(chapter=chapter, kind="policy", title="Beleid")
    group.recommendations.add(rec)
    item = DevelopmentItem.objects.create(group=group, title="Wetsvoorstel", figure=figure)
    source = Source.objects.create(url="https://www.cbs.nl/meldingen", title="Meldingen")
    Citation.objects.create(source=source, chapter=chapter, target=item)
    Footnote.objects.create(chapter=chapter, text="Voorlopig cijfer", target=block)
    DataGap.objects.create(chapter=chapter, description="Geen cijfers over Saba", first_noted_in=ed, recommendation=rec)
    DataGap.objects.create(chapter=chapter, description="Opgelost", status=DataGap.Status.CLOSED)
    f.publish(ed, by=cast.coordinator)
    chapter.refresh_from_db()

    new = services.start_next_edition(ed, by=cast.coordinator)

    assert (new.year, new.state, new.reporting_period_start, new.reporting_period_end) == (
        2026,
        Edition.State.PREPARATION,
        datetime.date(2025, 3, 1),
        datetime.date(2026, 2, 28),
    )
    copy = new.chapters.get(theme=chapter.theme)
    assert (copy.state, copy.summary, copy.lead_organisation, copy.deadline) == (
        State.DRAFT,
        chapter.summary,
        cast.unicef,
        None,
    )
    assert list(copy.contributing_organisations.all()) == [cast.defence]
    assert list(copy.recommendations.all()) == [rec]
    new_figure = copy.figures.get()
    assert new_figure.pk != figure.pk and new_figure.source_line == "CBS"
    assert copy.key_figures.get().figure == new_figure
    new_item = DevelopmentItem.objects.get(group__chapter=copy)
    assert new_item.figure == new_figure and list(new_item.group.recommendations.all()) == [rec]
    assert copy.citations.get().target == new_item and copy.footnotes.get().target == copy.key_figures.get()
    gap = copy.data_gaps.get()
    assert (gap.description, gap.first_noted_in, gap.recommendation, gap.carried_from.chapter) == (
        "Geen cijfers over Saba",
        ed,
        rec,
        chapter,
    )
    assert new.chapters.count() == 2 and audit_actions(new) == ["start_edition"]
    with pytest.raises(services.WorkflowError, match="bestaat al"):
        services.start_next_edition(ed, by=cast.coordinator)
    with pytest.raises(PermissionDenied):
        services.start_next_edition(new, by=cast.editor_a)


# -- reminders ------------------------------------------------------------------


def test_send_reminders_mails_editors_of_late_drafts_and_coordinators_of_waiting_reviews(cast, committed):
    today = timezone.localdate()
    Chapter.objects.filter(pk=cast.chapter_a.pk).update(deadline=today - datetime.timedelta(days=1))
    Chapter.objects.filter(pk=cast.chapter_b.pk).update(deadline=today + datetime.timedelta(days=30))
    mails = mail.outbox
    with committed():
        call_command("send_reminders", "--dry-run", verbosity=0)
    assert mails == []
    with committed():
        call_command("send_reminders", verbosity=0)
    assert [m.to for m in mails] == [["redactie@unicef.example.org"]] and "was" in mails[0].body
    with committed():
        call_command("send_reminders", verbosity=0)  # once a day
    assert len(mails) == 1
    AuditEntry.objects.filter(action="reminder").delete()
    submitted(cast.chapter_a, cast.editor_a)
    mails.clear()
    with committed():
        call_command("send_reminders", verbosity=0)
    assert sorted(m.to[0] for m in mails) == ["coordinator2@example.org", "coordinator@example.org"]


# -- the demo -------------------------------------------------------------------


def test_demo_shows_the_cycle_2024_published_and_2025_in_preparation(demo_db):
    from io import StringIO

    call_command("load_demo", "--cycle", verbosity=0)
    assert Edition.objects.get(year=2024).state == Edition.State.PUBLISHED
    edition = Edition.objects.get(year=2025)
    assert edition.state == Edition.State.PREPARATION
    states = {c.theme.number: c.state for c in edition.chapters.select_related("theme")}
    assert [n for n, s in sorted(states.items()) if s == State.APPROVED] == [1, 2, 3]
    assert [n for n, s in sorted(states.items()) if s == State.SUBMITTED] == [4, 5]
    changes_requested = edition.chapters.filter(theme__number__in=[6, 7])
    assert all(
        c.state == State.DRAFT and ReviewComment.objects.open().filter(chapter=c).exists() for c in changes_requested
    )
    assert all(c.deadline for c in edition.chapters.all())
    coordinator = get_user_model().objects.get(username="coordinator")
    assert coordinator.has_perm("workflow.publish_edition")
    assert get_user_model().objects.get(username="redacteur-unicef").groups.filter(name=roles.EDITOR).exists()
    out = StringIO()
    call_command("load_demo", "--cycle", stdout=out)
    assert "niets gewijzigd" in out.getvalue() and Edition.objects.filter(year=2025).count() == 1
