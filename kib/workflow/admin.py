"""The workflow in the admin: buttons, comments and audit trail on the chapter and edition pages.

Every button posts to a view here that calls a service; the services check rights and
states, so a crafted request gets no further than the button would.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kib.admin_base import KibModelAdmin, ReadOnlyAdminMixin
from kib.workflow import scoping, services
from kib.workflow.models import AuditEntry, EditionCorrection, ReviewComment
from themes import parts
from themes.models import Chapter
from themes.parts import PARTS

CHAPTER_ACTIONS = {
    "submit": (services.submit_chapter, gettext_lazy("Het hoofdstuk is ingediend; de coördinatoren krijgen bericht.")),
    "request_changes": (services.request_changes, gettext_lazy("Het hoofdstuk is teruggestuurd naar de redactie.")),
    "approve": (services.approve_chapter, gettext_lazy("Het hoofdstuk is goedgekeurd.")),
    "reopen": (services.reopen_chapter, gettext_lazy("Het hoofdstuk is heropend en staat weer op concept.")),
}


def _post_only(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _comment_targets(chapter):
    """The parts of a chapter a comment can point at (``commented`` in ``themes.parts``), as (key, label, object)."""
    targets = [
        obj
        for part in PARTS
        if part.commented
        for obj in parts.in_chapters(part, [chapter.pk]).select_related(*part.select_with_label)
    ]
    return [(f"{obj._meta.label_lower}:{obj.pk}", f"{obj._meta.verbose_name}: {obj}"[:120], obj) for obj in targets]


def part_changes(admin_site, chapter, limit=100):
    """The latest historical records of all parts of ``chapter`` (items, figures, data gaps…), newest first.

    A part that reaches its chapter through another part (an item through its group) is found
    through that part's history, so a deleted group's items still show.
    """
    querysets = []
    for part in PARTS:
        if not part.in_history:
            continue
        if part.parent_field == "chapter":
            querysets.append(part.model.history.filter(chapter_id=chapter.pk))
        else:
            parents = part.parent.history.filter(chapter_id=chapter.pk).values("id")
            querysets.append(part.model.history.filter(**{f"{part.parent_field}_id__in": parents}))
    records = sorted(
        (r for qs in querysets for r in qs.select_related("history_user").order_by("-history_date")[:limit]),
        key=lambda r: r.history_date,
        reverse=True,
    )[:limit]
    for record in records:
        model = record.instance_type
        record.kib_label = f"{capfirst(model._meta.verbose_name)}: {record.history_object}"[:160]
        if model in admin_site._registry and record.history_type != "-":
            record.kib_url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[record.id]
            )
    return records


class ChapterWorkflowMixin:
    """Mixed into ChapterAdmin: the review panel, its buttons and the comment thread."""

    def available_actions(self, request, chapter):
        user, state = request.user, chapter.state
        if scoping.is_frozen(chapter.edition):
            return {}
        actions = {}
        if state == Chapter.State.DRAFT and user.has_perm("workflow.submit_chapter"):
            actions["submit"] = ""
        if state == Chapter.State.SUBMITTED and scoping.is_coordinator(user):
            own = settings.KIB_FOUR_EYES and chapter.revised_by_id == user.pk
            reason = _("U schreef de huidige versie zelf; een andere coördinator beoordeelt haar.") if own else ""
            actions.update(request_changes=reason, approve=reason)
        if state == Chapter.State.APPROVED and scoping.is_coordinator(user) and not chapter.edition.is_published:
            actions["reopen"] = ""
        return actions

    def workflow_context(self, request, chapter):
        replies = ReviewComment.objects.select_related("author", "resolved_by")
        comments = (
            chapter.review_comments.filter(parent__isnull=True)
            .select_related("author", "resolved_by")
            .prefetch_related(Prefetch("replies", queryset=replies))
        )
        return {
            "workflow_actions": self.available_actions(request, chapter),
            "review_comments": comments,
            "open_comment_count": sum(1 for c in comments if not c.is_resolved),
            "comment_targets": [(key, label) for key, label, _obj in _comment_targets(chapter)],
            "can_comment": scoping.can_view_chapter(request.user, chapter)
            and (request.user.has_perm("workflow.submit_chapter") or request.user.has_perm("workflow.review_chapter"))
            and not scoping.is_frozen(chapter.edition),
            "audit_entries": AuditEntry.objects.for_object(chapter).select_related("user")[:50],
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(request, "kib_restoring", None) and hasattr(obj, "_history"):
            when = timezone.localtime(obj._history.history_date).strftime("%d-%m-%Y %H:%M")
            services.audit(
                obj,
                request.user,
                AuditEntry.Action.RESTORE,
                comment=_("Versie van %(when)s teruggezet.") % {"when": when},
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        chapter = self.get_object(request, unquote(object_id))
        if chapter is not None and self.has_view_permission(request, chapter):
            extra_context = {**(extra_context or {}), **self.workflow_context(request, chapter)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _chapter_or_404(self, request, object_id):
        chapter = self.get_object(request, unquote(object_id))
        if chapter is None or not self.has_view_permission(request, chapter):
            raise Http404
        return chapter

    def _back(self, chapter):
        return redirect(reverse("admin:themes_chapter_change", args=[chapter.pk]))

    def workflow_view(self, request, object_id, action):
        if action not in CHAPTER_ACTIONS:
            raise Http404
        if response := _post_only(request):
            return response
        chapter = self._chapter_or_404(request, object_id)
        service, done = CHAPTER_ACTIONS[action]
        kwargs = {
            "request_changes": {"comment": request.POST.get("comment", "")},
            "approve": {"seen_version": request.POST.get("seen_version")},
            "reopen": {"comment": request.POST.get("comment", "")},
        }.get(action, {})
        try:
            service(chapter, by=request.user, **kwargs)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return self._back(chapter)

    def comment_view(self, request, object_id):
        if response := _post_only(request):
            return response
        chapter = self._chapter_or_404(request, object_id)
        parent = target = None
        if request.POST.get("parent"):
            parent = chapter.review_comments.filter(pk=request.POST["parent"]).first()
            if parent is None:
                raise Http404
        elif request.POST.get("target"):
            target = {key: obj for key, _label, obj in _comment_targets(chapter)}.get(request.POST["target"])
            if target is None:
                raise Http404
        try:
            services.add_comment(chapter, request.user, request.POST.get("text", ""), target=target, parent=parent)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Uw opmerking is geplaatst."))
        return redirect(reverse("admin:themes_chapter_change", args=[chapter.pk]) + "#review-comments")

    def resolve_view(self, request, object_id, comment_id):
        if response := _post_only(request):
            return response
        chapter = self._chapter_or_404(request, object_id)
        comment = chapter.review_comments.filter(pk=comment_id, parent__isnull=True).first()
        if comment is None:
            raise Http404
        try:
            services.resolve_comment(comment, request.user)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("De opmerking is afgehandeld."))
        return redirect(reverse("admin:themes_chapter_change", args=[chapter.pk]) + "#review-comments")

    def history_view(self, request, object_id, extra_context=None):
        """The chapter's own revisions, and below them every change to one of its parts."""
        chapter = self._chapter_or_404(request, object_id)
        extra_context = {**(extra_context or {}), "part_changes": part_changes(self.admin_site, chapter)}
        return super().history_view(request, object_id, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/<slug:action>/", wrap(self.workflow_view), name="themes_chapter_workflow"),
            path("<path:object_id>/comments/", wrap(self.comment_view), name="themes_chapter_comment"),
            path(
                "<path:object_id>/comments/<int:comment_id>/resolve/",
                wrap(self.resolve_view),
                name="themes_chapter_resolve_comment",
            ),
            *super().get_urls(),
        ]


class EditionWorkflowMixin:
    """Mixed into EditionAdmin: publish, corrections, and starting the next edition."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        edition = self.get_object(request, unquote(object_id))
        if edition is not None:
            chapters = list(edition.chapters.values_list("state", flat=True))
            extra_context = {
                **(extra_context or {}),
                "can_publish_editions": request.user.has_perm("workflow.publish_edition"),
                "chapter_count": len(chapters),
                "approved_count": chapters.count(Chapter.State.APPROVED),
                "open_correction": edition.corrections.filter(closed_at__isnull=True).first(),
                "next_edition_exists": type(edition).objects.filter(year=edition.year + 1).exists(),
                "audit_entries": AuditEntry.objects.for_object(edition).select_related("user")[:50],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def edition_action_view(self, request, object_id, action):
        if response := _post_only(request):
            return response
        edition = self.get_object(request, unquote(object_id))
        if edition is None:
            raise Http404
        back = reverse("admin:kib_edition_change", args=[edition.pk])
        try:
            if action == "publish":
                services.publish_edition(edition, by=request.user)
                messages.success(request, _("%(edition)s is gepubliceerd en bevroren.") % {"edition": edition})
            elif action == "open-correction":
                services.open_correction(edition, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("De correctie is geopend; coördinatoren kunnen de editie nu verbeteren."))
            elif action == "close-correction":
                services.close_correction(edition, by=request.user)
                messages.success(request, _("De correctie is gesloten; de editie is weer bevroren."))
            elif action == "start-next":
                new = services.start_next_edition(edition, by=request.user)
                messages.success(
                    request, _("Editie %(year)s is aangemaakt met alle hoofdstukken als concept.") % {"year": new.year}
                )
                back = reverse("admin:kib_edition_change", args=[new.pk])
            else:
                raise Http404
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        return redirect(back)

    def get_urls(self):
        view = self.admin_site.admin_view(self.edition_action_view)
        return [
            path("<path:object_id>/workflow/<slug:action>/", view, name="kib_edition_workflow"),
            *super().get_urls(),
        ]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, KibModelAdmin):
    list_display = ["at", "user", "action", "object_repr", "from_state", "to_state", "comment"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "comment", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def scope_queryset(self, request, queryset):
        if scoping.sees_all_chapters(request.user):
            return queryset
        chapters = scoping.visible_chapters(request.user)
        return queryset.filter(
            content_type=ContentType.objects.get_for_model(Chapter), object_id__in=chapters.values("pk")
        )


@admin.register(EditionCorrection)
class EditionCorrectionAdmin(AuditEntryAdmin):
    list_display = ["edition", "reason", "opened_by", "opened_at", "closed_by", "closed_at"]
    list_filter = ["edition"]
    search_fields = ["reason"]
    list_select_related = ["edition", "opened_by", "closed_by"]
    date_hierarchy = "opened_at"

    def scope_queryset(self, request, queryset):
        return queryset
