"""The edition dashboard: every chapter with its state, deadline, last change, open comments and gaps."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kib.models import Edition
from kib.workflow.dashboard import chapter_rows
from kib.workflow.scoping import is_frozen, visible_chapters
from themes.models import Chapter


def dashboard_editions(user):
    """Editions with at least one chapter ``user`` sees, newest first."""
    if not user.has_perm("themes.view_chapter"):
        return Edition.objects.none()
    return Edition.objects.filter(pk__in=visible_chapters(user).values("edition")).order_by("-year")


def dashboard(request, year=None):
    editions = dashboard_editions(request.user)
    if not request.user.has_perm("themes.view_chapter"):
        raise PermissionDenied
    if year is None:
        edition = editions.filter(state=Edition.State.PREPARATION).first() or editions.first()
    else:
        edition = get_object_or_404(editions, year=year)
    chapters = chapter_rows(edition, request.user) if edition else []
    states = {state: sum(1 for c in chapters if c.state == state) for state in Chapter.State.values}
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard %(edition)s") % {"edition": edition} if edition else _("Dashboard"),
        "edition": edition,
        "editions": editions,
        "chapters": chapters,
        "state_counts": [(Chapter.State(state).label, count) for state, count in states.items()],
        "today": timezone.localdate(),
        "can_publish": edition is not None
        and request.user.has_perm("workflow.publish_edition")
        and edition.state == Edition.State.PREPARATION
        and bool(chapters)
        and states[Chapter.State.APPROVED] == len(chapters),
        "frozen": edition is not None and is_frozen(edition),
    }
    return render(request, "admin/workflow/dashboard.html", context)
