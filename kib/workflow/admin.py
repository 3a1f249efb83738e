"""The workflow in the admin: buttons, comments and audit trail on the chapter and edition pages.

Every button posts to a view here that calls a service; the services check rights and
states, so a crafted request gets no further than the button would.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kib.admin_base import KibModelAdmin, ReadOnlyAdminMixin
from kib.workflow import dashboard, forms, review, scoping, services
from kib.workflow.models import AuditEntry, CarriedOver, EditionCorrection, ReviewComment
from themes import history as chapter_history
from themes import sections
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


class StatusFilter(admin.SimpleListFilter):
    """The chapter's state, with "wijzigingen gevraagd" (a draft sent back) as a status of its own."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return dashboard.STATUS_CHOICES

    def queryset(self, request, queryset):
        return dashboard.filter_status(queryset, self.value()) if self.value() else queryset


@admin.action(description=gettext_lazy("Plannen: deadline, trekker en bijdragers van de gekozen hoofdstukken"))
def plan_chapters(modeladmin, request, queryset):
    """Bulk planning for coordinators; approved chapters and frozen editions are refused and named."""
    form = forms.PlanChaptersForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        data = form.cleaned_data
        kwargs = {}
        if data["set_deadline"]:
            kwargs["deadline"] = data["deadline"]
        if data["set_lead"]:
            kwargs["lead_organisation"] = data["lead_organisation"]
        if data["contributing_mode"] != "keep":
            kwargs["contributing"] = list(data["contributing"])
            kwargs["replace"] = data["contributing_mode"] == "replace"
        result = services.plan_chapters(list(queryset), by=request.user, **kwargs)
        if result.done:
            messages.success(
                request,
                _("Gepland: %(chapters)s.") % {"chapters": ", ".join(str(c) for c in result.done)},
            )
        if result.refused:
            messages.error(
                request,
                _("Niet gewijzigd: %(chapters)s.")
                % {"chapters": "; ".join(f"{chapter} ({why})" for chapter, why in result.refused)},
            )
        return None
    chapters = list(queryset.select_related("edition", "theme", "lead_organisation"))
    return TemplateResponse(
        request,
        "admin/workflow/plan_chapters.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Hoofdstukken plannen"),
            "opts": modeladmin.model._meta,
            "chapters": chapters,
            "refused": [c for c in chapters if c.state == Chapter.State.APPROVED or c.edition.is_published],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ChapterWorkflowMixin:
    """Mixed into ChapterAdmin: the review panel, its buttons and the comment thread; in the list, the
    status ("wijzigingen gevraagd" included), the deadline in words, and planning in bulk."""

    def get_queryset(self, request):
        return dashboard.with_status(super().get_queryset(request))

    def get_list_display(self, request):
        swap = {"state": "workflow_status", "deadline": "deadline_in_words"}
        return [swap.get(name, name) for name in super().get_list_display(request)]

    def get_list_filter(self, request):
        return [StatusFilter if name == "state" else name for name in super().get_list_filter(request)]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if scoping.is_coordinator(request.user):
            actions["plan_chapters"] = self.get_action(plan_chapters)
        return actions

    @admin.display(description=gettext_lazy("status"), ordering="state")
    def workflow_status(self, chapter):
        return dashboard.status_label(chapter)

    @admin.display(description=gettext_lazy("deadline"), ordering="deadline")
    def deadline_in_words(self, chapter):
        if chapter.deadline is None:
            return "—"
        words = dashboard.deadline_text(chapter.deadline, chapter.state)
        when = date_format(chapter.deadline, "j F Y")
        return f"{when} ({words})" if words else when

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
        comments = list(
            chapter.review_comments.filter(parent__isnull=True)
            .select_related("author", "resolved_by")
            .prefetch_related(Prefetch("replies", queryset=replies))
        )
        for comment in comments:
            where = review.section_of(comment)
            comment.url, comment.section_title = review.url(comment), where.title if where else ""
        # A section page offers only its own parts as targets: reading every part of the chapter cost a query per kind.
        section = self.section(request) if hasattr(self, "section") and "sectie" in request.GET else None
        targets = review.targets(chapter, section)
        return {
            "workflow_actions": self.available_actions(request, chapter),
            "review_comments": comments,
            "open_comment_count": sum(1 for c in comments if not c.is_resolved),
            "open_comments_per_section": review.open_per_section(comments),
            "comment_targets": [(key, label) for key, label, _obj in targets],
            "comment_target_objects": targets,
            "can_comment": scoping.can_view_chapter(request.user, chapter)
            and (request.user.has_perm("workflow.submit_chapter") or request.user.has_perm("workflow.review_chapter"))
            and not scoping.is_frozen(chapter.edition),
            "audit_entries": AuditEntry.objects.for_object(chapter).select_related("user")[:50],
            "can_preview": scoping.can_preview(request.user, chapter.edition, chapter),
        }

    def get_view_on_site_url(self, obj=None):
        """"Weergeven op website" only where the website shows the chapter: a published edition, never a draft's 404."""
        if obj is not None and not obj.edition.is_published:
            return None
        return super().get_view_on_site_url(obj)

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
        # A save that succeeds redirects: the panel is read only when the page is shown (``with_workflow_context``).
        if request.method == "GET":
            chapter = self.get_object(request, unquote(object_id))
            if chapter is not None and self.has_view_permission(request, chapter):
                extra_context = {**(extra_context or {}), **self.workflow_context(request, chapter)}
        return super().change_view(request, object_id, form_url, extra_context)

    def with_workflow_context(self, request, context, obj):
        """``context`` with the review panel of ``obj`` (a page shown again after a refused save reads it here,
        from the chapter as stored, not as the refused form left it)."""
        if "workflow_actions" not in context and obj is not None and obj.pk is not None:
            chapter = self.get_object(request, str(obj.pk)) if request.method != "GET" else obj
            if chapter is not None and self.has_view_permission(request, chapter):
                context.update(self.workflow_context(request, chapter))
        return context

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change:
            self.with_workflow_context(request, context, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _chapter_or_404(self, request, object_id):
        chapter = self.get_object(request, unquote(object_id))
        if chapter is None or not self.has_view_permission(request, chapter):
            raise Http404
        return chapter

    def _back(self, chapter, request=None):
        """Back to the chapter, on the section the button was pressed on (``sectie`` in the form)."""
        url = reverse("admin:themes_chapter_change", args=[chapter.pk])
        section_key = request.POST.get("sectie", "") if request is not None else ""
        if section_key in sections.BY_KEY:
            url = f"{url}?sectie={section_key}"
        return redirect(url)

    def workflow_view(self, request, object_id, action):
        if action not in CHAPTER_ACTIONS:
            raise Http404
        if response := _post_only(request):
            return response
        chapter = self._chapter_or_404(request, object_id)
        service, done = CHAPTER_ACTIONS[action]
        kwargs = {
            "request_changes": {"comment": request.POST.get("comment", "")},
            "approve": {
                "seen_version": request.POST.get("seen_version"),
                "despite_open_comments": request.POST.get("despite_open_comments") == "1",
            },
            "reopen": {"comment": request.POST.get("comment", "")},
        }.get(action, {})
        try:
            service(chapter, by=request.user, **kwargs)
        except services.OpenComments as exc:
            if "confirming" in request.POST:  # the second step, sent without ticking the box
                messages.error(request, str(exc))
            return self.approve_confirmation(request, chapter, kwargs["seen_version"], exc)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return self._back(chapter, request)

    def approve_confirmation(self, request, chapter, seen_version, refusal):
        """The second step of approving a chapter with open comments: the comments, and a box to tick."""
        comments = list(
            chapter.review_comments.open().select_related("author").prefetch_related("replies__author")
        )
        for comment in comments:
            comment.url = review.url(comment)
        return TemplateResponse(
            request,
            "admin/workflow/approve_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": _("%(chapter)s goedkeuren") % {"chapter": chapter},
                "opts": self.model._meta,
                "original": chapter,
                "seen_version": seen_version,
                "comments": comments,
                "count": refusal.count,
                "refusal": str(refusal),
            },
        )

    def _back_to_comment(self, chapter, comment, section_key):
        if section_key in sections.BY_KEY:
            base = reverse("admin:themes_chapter_change", args=[chapter.pk])
            anchor = f"comment-{comment.pk}" if comment else "review-comments"
            return redirect(f"{base}?sectie={section_key}#{anchor}")
        return redirect(reverse("admin:themes_chapter_change", args=[chapter.pk]) + "#review-comments")

    def comment_view(self, request, object_id):
        if response := _post_only(request):
            return response
        chapter = self._chapter_or_404(request, object_id)
        section_key = request.POST.get("sectie", "")
        if section_key and section_key not in sections.BY_KEY:
            raise Http404
        section = sections.BY_KEY.get(section_key)
        parent = target = None
        if request.POST.get("parent"):
            parent = chapter.review_comments.filter(pk=request.POST["parent"]).first()
            if parent is None:
                raise Http404
        elif request.POST.get("target"):
            target = {key: obj for key, _label, obj in review.targets(chapter, section)}.get(request.POST["target"])
            if target is None:
                raise Http404
        comment = None
        try:
            comment = services.add_comment(
                chapter,
                request.user,
                request.POST.get("text", ""),
                target=target,
                parent=parent,
                section=section_key,
                quote=request.POST.get("quote", ""),
            )
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Uw opmerking is geplaatst."))
        thread = comment.parent if comment is not None and comment.parent_id else comment
        return self._back_to_comment(chapter, thread, section_key)

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
        return self._back_to_comment(chapter, comment, request.POST.get("sectie", ""))

    def history_view(self, request, object_id, extra_context=None):
        """The chapter's own revisions, and below them every change to one of its parts; any two
        of these moments (or now) can be compared."""
        chapter = self._chapter_or_404(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "part_changes": part_changes(self.admin_site, chapter),
            "compare_moments": True,
        }
        return super().history_view(request, object_id, extra_context)

    def compare_parts_context(self, request, obj, old_moment, new_moment):
        """The parts added, removed and changed between the two moments; and restoring the older one."""
        chapter = self._current(obj)
        return {
            "part_changes": chapter_history.compare_parts(chapter.pk, old_moment, new_moment),
            "compares_parts": True,
            "restore_refusal": self.restore_refusal(request, chapter),
            "restore_moment": old_moment.isoformat(),
            "chapter_version": chapter.version,
        }

    def restore_refusal(self, request, chapter):
        """Why ``request.user`` cannot restore the chapter now ("" when they can)."""
        if scoping.is_frozen(chapter.edition):
            return _("De editie is gepubliceerd; er kan niets meer in veranderen.")
        if chapter.state == Chapter.State.APPROVED:
            return _("Dit hoofdstuk is goedgekeurd; heropen het eerst om een oude versie terug te zetten.")
        if not self.has_change_permission(request, chapter):
            return _("U mag dit hoofdstuk nu niet wijzigen.")
        return ""

    def restore_view(self, request, object_id):
        """Put the chapter with its parts back as it was at ``moment``, through the lock like a save."""
        if response := _post_only(request):
            return response
        chapter = self._chapter_or_404(request, object_id)
        moment = parse_datetime(request.POST.get("moment", ""))
        if moment is None:
            raise Http404
        if refusal := self.restore_refusal(request, chapter):
            messages.error(request, refusal)
            return self._back(chapter)
        try:
            touched = chapter_history.restore_chapter(chapter, moment, request.user, request.POST.get("seen_version"))
        except (chapter_history.RestoreRefused, services.WorkflowError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Het hoofdstuk staat weer zoals op %(when)s; %(count)s onderdeel teruggezet of verwijderd.",
                    "Het hoofdstuk staat weer zoals op %(when)s; %(count)s onderdelen teruggezet of verwijderd.",
                    touched,
                )
                % {"when": chapter_history.dutch_datetime(moment), "count": touched},
            )
        return self._back(chapter)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/<slug:action>/", wrap(self.workflow_view), name="themes_chapter_workflow"),
            path("<path:object_id>/comments/", wrap(self.comment_view), name="themes_chapter_comment"),
            path("<path:object_id>/history/restore/", wrap(self.restore_view), name="themes_chapter_restore"),
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
                "carried_over_texts": CarriedOver.objects.unconfirmed()
                .filter(edition=edition, chapter__isnull=True)
                .count(),
                "audit_entries": AuditEntry.objects.for_object(edition).select_related("user")[:50],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _edition_page(self, request, edition, template, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "original": edition, **context},
        )

    def publish_view(self, request, edition):
        """Publishing asks for confirmation, says what freezes, and shows the readiness check first."""
        from kib.workflow import readiness

        form = forms.PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.publish_edition(edition, by=request.user, reason=form.cleaned_data["reason"])
            except services.NotReady as exc:
                form.add_error(None, str(exc))
            except services.WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect(reverse("admin:kib_edition_change", args=[edition.pk]))
            else:
                messages.success(request, _("%(edition)s is gepubliceerd en bevroren.") % {"edition": edition})
                return redirect(reverse("admin:kib_edition_change", args=[edition.pk]))
        problems = readiness.check(edition)
        return self._edition_page(
            request,
            edition,
            "admin/workflow/publish.html",
            title=_("%(edition)s publiceren") % {"edition": edition},
            form=form,
            problems=problems,
            blocking=any(p.blocking for p in problems),
            chapter_count=edition.chapters.count(),
        )

    def start_next_view(self, request, edition):
        """Starting the next edition is a form: reporting period, publication date, default deadline; confirmed."""
        initial = services.next_edition_defaults(edition)
        form = forms.StartNextEditionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                new = services.start_next_edition(
                    edition,
                    by=request.user,
                    deadline=data["deadline"],
                    reporting_period_start=data["reporting_period_start"],
                    reporting_period_end=data["reporting_period_end"],
                    publication_date=data["publication_date"],
                )
            except services.WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Editie %(year)s is aangemaakt met alle hoofdstukken als concept; verslagperiode %(period)s.")
                    % {"year": new.year, "period": new.reporting_period_label or "—"},
                )
                return redirect(reverse("admin:workflow_dashboard", args=[new.year]))
        return self._edition_page(
            request,
            edition,
            "admin/workflow/start_next.html",
            title=_("Editie %(year)s starten vanuit %(edition)s") % {"year": edition.year + 1, "edition": edition},
            form=form,
            chapter_count=edition.chapters.count(),
        )

    def edition_action_view(self, request, object_id, action):
        edition = self.get_object(request, unquote(object_id))
        if edition is None:
            raise Http404
        if action in ("publish", "start-next"):
            if not request.user.has_perm("workflow.publish_edition"):
                raise PermissionDenied
            view = self.publish_view if action == "publish" else self.start_next_view
            return view(request, edition)
        if response := _post_only(request):
            return response
        back = reverse("admin:kib_edition_change", args=[edition.pk])
        try:
            if action == "open-correction":
                services.open_correction(edition, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("De correctie is geopend; coördinatoren kunnen de editie nu verbeteren."))
            elif action == "close-correction":
                services.close_correction(edition, by=request.user)
                messages.success(request, _("De correctie is gesloten; de editie is weer bevroren."))
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
    list_display = ["at", "user", "action", "object_repr", "state_change", "comment"]
    list_filter = ["action", ("content_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "comment", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "from_state" in fields:  # one column in words instead of two stored values
            fields[fields.index("from_state")] = "state_change"
            fields.remove("to_state")
        return fields

    @admin.display(description=gettext_lazy("van → naar"))
    def state_change(self, entry):
        """The states in words ("concept → ingediend"), not their stored values."""
        return entry.transition or "–"

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
