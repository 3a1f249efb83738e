""" "Mijn werk": the admin start page, what is next for the person logged in.

Editors see their chapters in the edition in preparation, sent back first, with the deadline
in words, the open comments and what is still missing. Coordinators see what waits for their
review (not what they wrote themselves: four eyes), late chapters, open comments, what is
missing per chapter, and the edition's readiness to publish. Everything comes from the
dashboard's queries (``dashboard.chapter_rows``) and the readiness check: a fixed number of
queries, whatever the number of chapters.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kib.models import Edition
from kib.workflow import readiness, review, scoping
from kib.workflow.dashboard import CHANGES_REQUESTED, chapter_rows
from kib.workflow.models import ReviewComment
from themes.models import Chapter


def _edition(user):
    from kib.workflow.views import dashboard_editions

    editions = dashboard_editions(user)
    return editions.filter(state=Edition.State.PREPARATION).order_by("year").first()


def _comments(chapters):
    """The open comment threads of ``chapters``, newest first, each with ``url`` to it on the chapter page."""
    comments = list(
        ReviewComment.objects.open()
        .filter(chapter__in=[c.pk for c in chapters])
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    by_id = {c.pk: c for c in chapters}
    for comment in comments:
        comment.chapter_row = by_id[comment.chapter_id]
        comment.url = review.url(comment)
    return comments


def _order(chapter):
    """Sent back first, then late, then by deadline, then by theme."""
    return (
        chapter.status != CHANGES_REQUESTED,
        not chapter.is_late,
        chapter.deadline is None,
        chapter.deadline or timezone.localdate(),
        chapter.theme.number,
    )


def work_for(user):
    """Everything "Mijn werk" shows for ``user``, as a dict for the template."""
    edition = _edition(user)
    if edition is None:
        return {"edition": None}
    chapters = chapter_rows(edition, user)
    coordinator = scoping.is_coordinator(user)
    work = {
        "edition": edition,
        "coordinator": coordinator,
        "comments": _comments(chapters),
        "chapters": sorted(chapters, key=_order),
    }
    if coordinator:
        four_eyes = settings.KIB_FOUR_EYES
        work["to_review"] = [
            c for c in chapters if c.state == Chapter.State.SUBMITTED and not (four_eyes and c.revised_by_id == user.pk)
        ]
        work["own_submitted"] = [
            c for c in chapters if c.state == Chapter.State.SUBMITTED and four_eyes and c.revised_by_id == user.pk
        ]
        work["late"] = [c for c in work["chapters"] if c.is_late]
        work["with_gaps"] = [c for c in chapters if c.missing]
        work["problems"] = readiness.check(edition, chapters if scoping.sees_all_chapters(user) else None)
    else:
        work["to_do"] = [c for c in work["chapters"] if c.state == Chapter.State.DRAFT]
        work["waiting"] = [c for c in work["chapters"] if c.state != Chapter.State.DRAFT]
    return work


def my_work(request):
    context = {
        **admin.site.each_context(request),
        "title": _("Mijn werk"),
        **work_for(request.user),
    }
    return render(request, "admin/workflow/my_work.html", context)
