"""The edition dashboard: every chapter with its state, deadline, last change, open comments and gaps."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kib.models import Edition
from kib.workflow import readiness
from kib.workflow.dashboard import STATUS_CHOICES, chapter_rows
from kib.workflow.scoping import can_edit_chapter, is_coordinator, is_frozen, sees_all_chapters, visible_chapters
from themes.models import Chapter


def dashboard_editions(user):
    """Editions with at least one chapter ``user`` sees, newest first."""
    if not user.has_perm("themes.view_chapter"):
        return Edition.objects.none()
    return Edition.objects.filter(pk__in=visible_chapters(user).values("edition")).order_by("-year")


def dashboard(request, year=None):
    if not request.user.has_perm("themes.view_chapter"):
        raise PermissionDenied
    editions = list(dashboard_editions(request.user))  # one query: the links to every edition, and this one
    if year is None:
        preparing = (e for e in editions if e.state == Edition.State.PREPARATION)
        edition = next(preparing, editions[0] if editions else None)
    else:
        edition = next((e for e in editions if e.year == year), None)
        if edition is None:
            raise Http404
    chapters = chapter_rows(edition, request.user) if edition else []
    states = {state: sum(1 for c in chapters if c.state == state) for state in Chapter.State.values}
    statuses = [(label, sum(1 for c in chapters if c.status == status)) for status, label in STATUS_CHOICES]
    coordinator = is_coordinator(request.user)
    show_readiness = coordinator and edition is not None and edition.state == Edition.State.PREPARATION
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard %(edition)s") % {"edition": edition} if edition else _("Dashboard"),
        "edition": edition,
        "editions": editions,
        "chapters": chapters,
        "state_counts": statuses,
        "coordinator": coordinator,
        "show_readiness": show_readiness,
        "problems": readiness.check(edition, chapters if sees_all_chapters(request.user) else None)
        if show_readiness
        else [],
        "today": timezone.localdate(),
        "can_publish": edition is not None
        and request.user.has_perm("workflow.publish_edition")
        and edition.state == Edition.State.PREPARATION
        and bool(chapters)
        and states[Chapter.State.APPROVED] == len(chapters),
        "frozen": edition is not None and is_frozen(edition),
    }
    return render(request, "admin/workflow/dashboard.html", context)


# -- texts carried over from last year ---------------------------------------------------


def _with_text(records):
    """Attach ``text`` (the part's current text, plain) to each record; one query per kind of part."""

    from kib.workflow.freshness import text_fields

    by_type = {}
    for record in records:
        by_type.setdefault(record.content_type_id, []).append(record)
    for group in by_type.values():
        model = group[0].content_type.model_class()
        objects = model.objects.in_bulk([r.object_id for r in group])
        for record in group:
            obj = objects.get(record.object_id)
            fields = [record.field] if record.field else text_fields(model)
            values = [_readable(model._meta.get_field(name), getattr(obj, name)) for name in fields] if obj else []
            record.text = " · ".join(v for v in values if v.strip())
    return records


def _readable(field, value):
    """A field's value as the editor knows it: a choice by its label ("Twee jaren vergeleken", not
    "two_periods"), a ticked box by its name, rich text without tags."""
    from django.db import models

    from kib.workflow.diff import plain_text

    if isinstance(field, models.BooleanField):
        return str(field.verbose_name) if value else ""
    return plain_text(field, value)


def _confirm_page(request, records, back, title, confirm, can_confirm):
    from django.contrib import admin, messages
    from django.shortcuts import redirect

    from kib.workflow.services import WorkflowError

    if request.method == "POST":
        wanted = set(request.POST.getlist("confirm"))
        chosen = [r for r in records if r.is_open and (request.POST.get("all") or str(r.pk) in wanted)]
        if not chosen:
            messages.error(request, _("Kies de teksten die nog kloppen."))
        else:
            try:
                count = confirm(chosen)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("%(count)s tekst(en) bevestigd als nog juist.") % {"count": count})
        return redirect(request.path)
    context = {
        **admin.site.each_context(request),
        "title": title,
        "records": _with_text(records),
        "open_count": sum(1 for r in records if r.is_open),
        "back": back,
        "can_confirm": can_confirm,
    }
    return render(request, "admin/workflow/carried_over.html", context)


def chapter_carried_over(request, pk):
    """The texts of one chapter carried over from last year; an editor confirms those still right."""
    from django.urls import reverse

    from kib.workflow import services
    from kib.workflow.models import CarriedOver

    chapter = visible_chapters(request.user).select_related("edition", "theme").filter(pk=pk).first()
    if chapter is None:
        raise Http404
    records = list(CarriedOver.objects.filter(chapter=chapter).select_related("content_type", "confirmed_by"))
    return _confirm_page(
        request,
        records,
        reverse("admin:themes_chapter_change", args=[chapter.pk]),
        _("Overgenomen van vorig jaar: %(chapter)s") % {"chapter": chapter},
        lambda chosen: services.confirm_carried_over(chosen, request.user, chapter=chapter),
        can_confirm=can_edit_chapter(request.user, chapter),
    )


def edition_carried_over(request, pk):
    """The edition's own texts (introduction, colophon…) carried over from last year."""
    from django.urls import reverse

    from kib.workflow import services
    from kib.workflow.models import CarriedOver

    if not request.user.has_perm("kib.change_edition"):
        raise PermissionDenied
    edition = get_object_or_404(Edition, pk=pk)
    records = list(
        CarriedOver.objects.filter(edition=edition, chapter__isnull=True).select_related("content_type", "confirmed_by")
    )
    return _confirm_page(
        request,
        records,
        reverse("admin:kib_edition_change", args=[edition.pk]),
        _("Overgenomen van vorig jaar: teksten van %(edition)s") % {"edition": edition},
        lambda chosen: services.confirm_carried_over(chosen, request.user, edition=edition),
        can_confirm=not is_frozen(edition),
    )
