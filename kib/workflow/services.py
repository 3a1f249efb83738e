"""Every state change of a chapter or an edition, as one function each.

Each one: lock the row, check the current state and the user's right, save inside
``transaction.atomic()``, write an ``AuditEntry``, then notify (mail goes out after
the commit). Admin views, the demo, management commands and the test factories call
these; nothing else sets ``Chapter.state`` or ``Edition.state``.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kib.models import Edition
from kib.workflow import freshness, notifications, readiness, scoping
from kib.workflow.models import AuditEntry, CarriedOver, EditionCorrection, ReviewComment
from kib.workflow.signals import correction_closed, edition_published
from themes import sections
from themes.copying import copy_chapter
from themes.models import Chapter

Action = AuditEntry.Action
State = Chapter.State


class WorkflowError(Exception):
    """The step is not possible in the current state; the message is meant for the user."""


class ChapterChanged(WorkflowError):
    """Somebody saved the chapter after the user opened it."""


class NotReady(WorkflowError):
    """The readiness check found problems; ``problems`` lists them (see ``readiness.py``)."""

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = problems


class OpenComments(WorkflowError):
    """Approving needs the coordinator's confirmation: ``count`` review comments are still open."""

    def __init__(self, message, count):
        super().__init__(message)
        self.count = count


def audit(obj, by, action, from_state="", to_state="", comment=""):
    return AuditEntry.objects.create(
        user=by if by is not None and by.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )


def _frozen(edition):
    return WorkflowError(
        _("De editie %(edition)s is gepubliceerd; er kan niets meer in veranderen.") % {"edition": edition}
    )


def _require(by, perm):
    if not (by is not None and by.is_active and by.has_perm(perm)):
        raise PermissionDenied


def _lock(chapter, expected_state):
    """Lock the chapter's row, and check it is in ``expected_state`` in a not frozen edition."""
    locked = Chapter.objects.select_for_update(of=("self",)).select_related("edition", "theme").get(pk=chapter.pk)
    if scoping.is_frozen(locked.edition):
        raise _frozen(locked.edition)
    if locked.state != expected_state:
        raise WorkflowError(
            _("Dit hoofdstuk is %(state)s; deze stap kan alleen vanuit de status %(expected)s.")
            % {"state": locked.get_state_display(), "expected": State(expected_state).label}
        )
    return locked


def _four_eyes(chapter, by):
    if settings.KIB_FOUR_EYES and chapter.revised_by_id == by.pk:
        raise WorkflowError(
            _("U schreef de huidige versie van dit hoofdstuk zelf; een andere coördinator beoordeelt haar.")
        )


def _move(chapter, original, by, to_state, action, comment=""):
    from_state = chapter.state
    Chapter.objects.filter(pk=chapter.pk).update(state=to_state, version=F("version") + 1)
    chapter.refresh_from_db(fields=["state", "version", "updated_at"])
    if original is not chapter:
        original.state, original.version = chapter.state, chapter.version
    return audit(chapter, by, action, from_state, to_state, comment)


def record_revision(chapter_id, by, seen_version=None):
    """Count one save of a chapter's content (its own fields or any part of it).

    Raises ``ChapterChanged`` when ``seen_version`` is given and the chapter is no longer
    at that version: the single UPDATE makes this safe against a concurrent save.
    Returns the new version.
    """
    rows = Chapter.objects.filter(pk=chapter_id)
    if seen_version is not None:
        rows = rows.filter(version=seen_version)
    user = by if by is not None and by.is_authenticated else None
    if not rows.update(version=F("version") + 1, revised_by=user, updated_at=timezone.now()):
        raise ChapterChanged(_("Iemand anders heeft dit hoofdstuk intussen opgeslagen."))
    return Chapter.objects.values_list("version", flat=True).get(pk=chapter_id)


@transaction.atomic
def submit_chapter(chapter, by):
    _require(by, "workflow.submit_chapter")
    locked = _lock(chapter, State.DRAFT)
    if not scoping.can_view_chapter(by, locked):
        raise PermissionDenied
    entry = _move(locked, chapter, by, State.SUBMITTED, Action.SUBMIT)
    notifications.chapter_submitted(locked, by)
    return entry


@transaction.atomic
def request_changes(chapter, by, comment):
    _require(by, "workflow.review_chapter")
    if not (comment or "").strip():
        raise WorkflowError(_("Schrijf bij het terugsturen wat er moet veranderen."))
    locked = _lock(chapter, State.SUBMITTED)
    _four_eyes(locked, by)
    entry = _move(locked, chapter, by, State.DRAFT, Action.REQUEST_CHANGES, comment.strip())
    ReviewComment.objects.create(chapter=locked, author=by, text=comment.strip())
    notifications.changes_requested(locked, by, comment.strip())
    return entry


@transaction.atomic
def approve_chapter(chapter, by, seen_version, despite_open_comments=False):
    """Approve the revision the coordinator looked at (``seen_version``), and only that one.

    Open review comments stop the approval unless the coordinator confirms it
    (``despite_open_comments``); the log then says how many were open.
    """
    _require(by, "workflow.review_chapter")
    locked = _lock(chapter, State.SUBMITTED)
    _four_eyes(locked, by)
    if str(locked.version) != str(seen_version):
        raise ChapterChanged(
            _(
                "Het hoofdstuk is gewijzigd nadat u het opende (nu versie %(now)s, u zag versie %(seen)s). Bekijk het opnieuw."
            )
            % {"now": locked.version, "seen": seen_version}
        )
    comment = ""
    if open_comments := ReviewComment.objects.open().filter(chapter=locked).count():
        if not despite_open_comments:
            raise OpenComments(
                ngettext(
                    "Er staat nog %(count)s open opmerking bij dit hoofdstuk. Handel haar af, of bevestig "
                    "dat u het hoofdstuk toch goedkeurt.",
                    "Er staan nog %(count)s open opmerkingen bij dit hoofdstuk. Handel ze af, of bevestig "
                    "dat u het hoofdstuk toch goedkeurt.",
                    open_comments,
                )
                % {"count": open_comments},
                open_comments,
            )
        comment = ngettext(
            "Goedgekeurd ondanks %(count)s open opmerking.",
            "Goedgekeurd ondanks %(count)s open opmerkingen.",
            open_comments,
        ) % {"count": open_comments}
    entry = _move(locked, chapter, by, State.APPROVED, Action.APPROVE, comment)
    notifications.chapter_approved(locked, by)
    return entry


@transaction.atomic
def reopen_chapter(chapter, by, comment=""):
    _require(by, "workflow.review_chapter")
    locked = _lock(chapter, State.APPROVED)
    if locked.edition.state != Edition.State.PREPARATION:
        raise WorkflowError(_("Een hoofdstuk van een gepubliceerde editie wordt verbeterd via een correctie."))
    entry = _move(locked, chapter, by, State.DRAFT, Action.REOPEN, (comment or "").strip())
    notifications.chapter_reopened(locked, by)
    return entry


def _lock_edition(edition):
    return Edition.objects.select_for_update().get(pk=edition.pk)


@transaction.atomic
def publish_edition(edition, by, reason="", historical=False):
    """Publish: one atomic step that freezes the edition, after the readiness check.

    Every chapter must be approved. Any other problem the check finds (a figure without
    data, open comments, texts carried over nobody looked at, the reporting period) is a
    warning: publishing over it needs a written ``reason``, kept in the audit log with the
    warnings. ``edition_published`` is sent inside the transaction, so the PDF build is handed
    over together with the publication, and a receiver that fails undoes both.

    The publication date is the edition's own, or today when it has none. ``historical``
    brings in a report that came out before KIB (the demo's seed): it keeps the publication
    date the edition records, even an empty one (unknown), and says so in the audit entry.
    Only the system may do that (a publisher without an account, such as the demo loader);
    a person in the admin always publishes today's report.
    """
    _require(by, "workflow.publish_edition")
    if historical and by.is_authenticated:
        raise PermissionDenied
    locked = _lock_edition(edition)
    if locked.state != Edition.State.PREPARATION:
        raise WorkflowError(_("Deze editie is al gepubliceerd."))
    # Nobody moves a chapter while the edition is checked.
    chapters = list(locked.chapters.select_for_update().select_related("theme"))
    if not chapters:
        raise WorkflowError(_("Deze editie heeft nog geen hoofdstukken."))
    problems = readiness.check(locked)
    if blocking := [p for p in problems if p.blocking]:
        waiting = [c for c in chapters if c.state != State.APPROVED]
        raise NotReady(
            _("Nog niet goedgekeurd: %(chapters)s.")
            % {"chapters": ", ".join(f"{c.theme.number}. {c.display_title}" for c in waiting)},
            blocking,
        )
    reason = (reason or "").strip()
    if problems and not reason:
        raise NotReady(
            _(
                "De editie is nog niet klaar: %(problems)s Publiceren ondanks deze waarschuwingen kan alleen met een reden."
            )
            % {"problems": " ".join(str(p) for p in problems)},
            problems,
        )
    now = timezone.now()
    changes = {"state": Edition.State.PUBLISHED, "published_at": now}
    if not locked.publication_date and not historical:
        changes["publication_date"] = timezone.localdate(now)
    Edition.objects.filter(pk=locked.pk).update(**changes)
    locked.refresh_from_db()
    edition.state, edition.published_at, edition.publication_date = (
        locked.state,
        locked.published_at,
        locked.publication_date,
    )
    lines = []
    if historical:
        date = locked.publication_date.strftime("%d-%m-%Y") if locked.publication_date else _("onbekend")
        lines.append(_("Historische editie, verschenen vóór KIB; publicatiedatum: %(date)s.") % {"date": date})
    if problems:
        lines.append(_("Gepubliceerd ondanks waarschuwingen. Reden: %(reason)s") % {"reason": reason})
        lines += [f"- {p}" for p in problems]
    comment = "\n".join(lines)
    entry = audit(locked, by, Action.PUBLISH, Edition.State.PREPARATION, Edition.State.PUBLISHED, comment)
    edition_published.send(sender=Edition, edition=locked, by=by)
    notifications.edition_published(locked, by)
    return entry


@transaction.atomic
def open_correction(edition, by, reason):
    _require(by, "workflow.publish_edition")
    if not (reason or "").strip():
        raise WorkflowError(_("Geef een reden voor de correctie."))
    locked = _lock_edition(edition)
    if locked.state != Edition.State.PUBLISHED:
        raise WorkflowError(_("Alleen een gepubliceerde editie krijgt een correctie; deze is nog in voorbereiding."))
    if locked.corrections.filter(closed_at__isnull=True).exists():
        raise WorkflowError(_("Er staat al een correctie open voor deze editie."))
    correction = EditionCorrection.objects.create(edition=locked, opened_by=by, reason=reason.strip())
    audit(locked, by, Action.OPEN_CORRECTION, comment=correction.reason)
    return correction


@transaction.atomic
def close_correction(edition, by):
    """Close the open correction; ``correction_closed`` hands over to a new PDF version."""
    _require(by, "workflow.publish_edition")
    locked = _lock_edition(edition)
    correction = locked.corrections.select_for_update().filter(closed_at__isnull=True).first()
    if correction is None:
        raise WorkflowError(_("Er staat geen correctie open voor deze editie."))
    correction.closed_at, correction.closed_by = timezone.now(), by
    correction.save(update_fields=["closed_at", "closed_by"])
    audit(locked, by, Action.CLOSE_CORRECTION, comment=correction.reason)
    correction_closed.send(sender=Edition, edition=locked, correction=correction, by=by)
    return correction


def _next_year(date):
    if date is None:
        return None
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year + 1, day=28)


def next_edition_defaults(edition):
    """What the form to start the edition after ``edition`` proposes: last year's dates plus one year."""
    return {
        "reporting_period_start": _next_year(edition.reporting_period_start),
        "reporting_period_end": _next_year(edition.reporting_period_end),
        "publication_date": _next_year(edition.publication_date),
    }


_UNSET = object()


@transaction.atomic
def start_next_edition(
    edition, by, deadline=None, reporting_period_start=_UNSET, reporting_period_end=_UNSET, publication_date=None
):
    """Create edition N+1 from N: chapters as drafts with last year's text and links, assignments kept.

    The reporting period is last year's plus one year unless given; ``deadline`` is set on every
    chapter. Each text carried over is recorded as "overgenomen" (see ``freshness.py``).
    """
    _require(by, "workflow.publish_edition")
    source = _lock_edition(edition)
    year = source.year + 1
    if Edition.objects.filter(year=year).exists():
        raise WorkflowError(_("Editie %(year)s bestaat al.") % {"year": year})
    defaults = next_edition_defaults(source)
    start = defaults["reporting_period_start"] if reporting_period_start is _UNSET else reporting_period_start
    end = defaults["reporting_period_end"] if reporting_period_end is _UNSET else reporting_period_end
    if start and end and end < start:
        raise WorkflowError(_("De verslagperiode eindigt vóór zij begint."))
    if deadline and publication_date and deadline > publication_date:
        raise WorkflowError(_("De deadline van de hoofdstukken ligt na de publicatiedatum."))
    new = Edition.objects.create(
        year=year,
        title=source.title.replace(str(source.year), str(year)),
        subtitle=source.subtitle,
        series=source.series,
        reporting_period_start=start,
        reporting_period_end=end,
        publication_date=publication_date,
        concluding_observations=source.concluding_observations,
        introduction=source.introduction,
        reading_guide=source.reading_guide,
        about=source.about,
        closing=source.closing,
        colophon=source.colophon,
    )
    freshness.record_edition(source, new)
    for chapter in source.chapters.select_related("theme").prefetch_related("contributing_organisations"):
        copy_chapter(chapter, new, deadline=deadline)
    audit(
        new,
        by,
        Action.START_EDITION,
        "",
        Edition.State.PREPARATION,
        _("Gestart vanuit %(edition)s.") % {"edition": source},
    )
    return new


@transaction.atomic
def add_comment(chapter, by, text, target=None, parent=None, section="", quote=""):
    """A review comment on ``chapter``, about a part (``target``) and/or written in a ``section``
    (a key of ``themes.sections``), optionally quoting a passage; or a reply to ``parent``."""
    if not (text or "").strip():
        raise WorkflowError(_("Een lege opmerking wordt niet geplaatst."))
    if not (by.has_perm("workflow.submit_chapter") or by.has_perm("workflow.review_chapter")):
        raise PermissionDenied
    if not scoping.can_view_chapter(by, chapter):
        raise PermissionDenied
    if scoping.is_frozen(chapter.edition):
        raise _frozen(chapter.edition)
    if parent is not None and parent.chapter_id != chapter.pk:
        raise WorkflowError(_("Dat antwoord hoort bij een ander hoofdstuk."))
    if parent is not None:
        parent = parent.parent or parent  # one level of replies
        target = None
    if section and section not in sections.BY_KEY:
        raise WorkflowError(_("Die sectie bestaat niet."))
    comment = ReviewComment(chapter=chapter, author=by, text=text.strip(), parent=parent)
    if parent is None:
        comment.section, comment.quote = section or "", (quote or "").strip()
    if target is not None:
        comment.target, comment.target_repr = target, str(target)[:300]
    comment.save()
    notifications.comment_added(chapter, by, comment)
    return comment


@transaction.atomic
def resolve_comment(comment, by):
    if not scoping.can_view_chapter(by, comment.chapter) or not (
        by.has_perm("workflow.submit_chapter") or by.has_perm("workflow.review_chapter")
    ):
        raise PermissionDenied
    updated = ReviewComment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
        resolved_by=by, resolved_at=timezone.now()
    )
    if not updated:
        raise WorkflowError(_("Deze opmerking was al afgehandeld."))
    comment.refresh_from_db()
    return comment


@transaction.atomic
def confirm_carried_over(records, by, chapter=None, edition=None):
    """Confirm that carried-over texts are still right (of one ``chapter``, or the edition's own texts).

    Only who may change those texts now confirms them; records already changed or confirmed
    are left as they are. Returns the number confirmed.
    """
    if chapter is not None:
        locked = Chapter.objects.select_for_update(of=("self",)).select_related("edition").get(pk=chapter.pk)
        if not scoping.can_edit_chapter(by, locked) or not (
            by.has_perm("workflow.submit_chapter") or by.has_perm("workflow.review_chapter")
        ):
            raise WorkflowError(
                _("U kunt dit hoofdstuk nu niet wijzigen (%(state)s); bevestigen kan dus ook niet.")
                % {"state": locked.get_state_display()}
            )
        rows = CarriedOver.objects.filter(chapter=locked)
        target = locked
    else:
        _require(by, "kib.change_edition")
        target = _lock_edition(edition)
        if scoping.is_frozen(target):
            raise _frozen(target)
        rows = CarriedOver.objects.filter(edition=target, chapter__isnull=True)
    ids = [r.pk for r in records]
    count = rows.unconfirmed().filter(pk__in=ids).update(confirmed_at=timezone.now(), confirmed_by=by)
    if count:
        labels = ", ".join(rows.filter(pk__in=ids).values_list("label", flat=True))
        audit(target, by, Action.CONFIRM_CARRIED_OVER, comment=labels[:2000])
    return count


class PlanResult:
    """What a bulk planning did: ``done`` and ``refused`` (with the reason) chapters."""

    def __init__(self):
        self.done, self.refused = [], []


@transaction.atomic
def plan_chapters(chapters, by, deadline=_UNSET, lead_organisation=_UNSET, contributing=None, replace=False):
    """Set deadline, lead and contributing organisations of many chapters at once.

    Approved chapters and chapters of a frozen edition are refused (reopen or correct first);
    the rest are changed, each with its own audit entry and a new version (a colleague with
    the chapter open is told, as with any save). ``contributing`` are added, or with ``replace``
    put in place of the current ones.
    """
    _require(by, "workflow.review_chapter")
    result = PlanResult()
    locked = (
        Chapter.objects.select_for_update(of=("self",))
        .select_related("edition", "theme")
        .filter(pk__in=[c.pk for c in chapters])
        .order_by("edition__year", "theme__number")
    )
    for chapter in locked:
        if scoping.is_frozen(chapter.edition) or chapter.edition.is_published:
            result.refused.append((chapter, _("de editie is gepubliceerd")))
            continue
        if chapter.state == State.APPROVED:
            result.refused.append((chapter, _("goedgekeurd; heropen het eerst")))
            continue
        said = []
        changes = {}
        if deadline is not _UNSET:
            changes["deadline"] = deadline
            said.append(_("deadline %(date)s") % {"date": deadline.strftime("%d-%m-%Y") if deadline else "—"})
        if lead_organisation is not _UNSET:
            changes["lead_organisation"] = lead_organisation
            said.append(_("trekker %(org)s") % {"org": lead_organisation or "—"})
        if changes:
            Chapter.objects.filter(pk=chapter.pk).update(**changes, version=F("version") + 1, updated_at=timezone.now())
        if contributing is not None:
            if replace:
                chapter.contributing_organisations.set(contributing)
            else:
                chapter.contributing_organisations.add(*contributing)
            said.append(
                (_("bijdragers: %(orgs)s") if replace else _("bijdragers erbij: %(orgs)s"))
                % {"orgs": ", ".join(str(o) for o in contributing) or "—"}
            )
            if not changes:
                Chapter.objects.filter(pk=chapter.pk).update(version=F("version") + 1, updated_at=timezone.now())
        audit(chapter, by, Action.PLAN, comment="; ".join(said))
        result.done.append(chapter)
    # ``update()`` writes no history: record the planned state in the chapters' history, by the
    # planner (else the next save shows the new deadline and lead as that editor's change).
    if result.done:
        planned = list(Chapter.objects.filter(pk__in=[c.pk for c in result.done]))
        Chapter.history.bulk_history_create(planned, update=True, default_user=by)
    return result


def chapters_due(today=None, days=7):
    """Chapters of editions in preparation not yet approved whose deadline is within ``days`` or past."""
    today = today or timezone.localdate()
    return (
        Chapter.objects.filter(
            edition__state=Edition.State.PREPARATION, deadline__lte=today + datetime.timedelta(days=days)
        )
        .exclude(state=State.APPROVED)
        .select_related("edition", "theme", "lead_organisation")
        .order_by("deadline", "theme__number")
    )
