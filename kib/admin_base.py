"""Base classes every KIB admin class derives from.

Keeping one base means rules that apply to all admin pages live in one place:

- **Scoping.** ``get_queryset`` passes through ``scope_queryset``; with ``chapter_path``
  set, a row is reachable when its chapter is (``kib.workflow.scoping``). Change lists,
  change views, history, autocomplete (Django builds it on ``get_queryset``), foreign-key
  and many-to-many choices (the related model's own admin decides), admin actions and the
  export of django-import-export (built on the change list) all follow from it.
- **Editing rights per object.** ``has_change_permission``/``has_delete_permission`` with
  an object ask ``can_change_object``: for a part of a chapter, the chapter's workflow
  state, the user's organisation and the freeze of a published edition decide. This binds
  superusers too.
- **No lost updates.** A change form of a chapter or one of its parts carries the chapter's
  version; saving bumps it with ``UPDATE … WHERE version = seen``. When somebody saved in
  between, the form comes back with the user's text and an explanation.
- **History.** django-simple-history's views, limited to reachable objects, plus a
  field-by-field comparison of any two revisions; restoring one goes through the same
  lock and freeze as a normal save.
- **Frozen means frozen.** A row a published edition draws (``kib.freeze``) keeps its form,
  but a change to what the edition shows comes back with the reason, in the form or the
  inline; it cannot be deleted, singly, inline or by bulk action. The model refuses too.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from kib import freeze, i18n
from kib.workflow import scoping
from kib.workflow.services import ChapterChanged, record_revision
from themes.models import Chapter

# Web addresses typed without a scheme are https (Django 6's default, without its deprecation warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to what the related model's admin lets the user reach."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if not isinstance(related_admin, KibModelAdmin):
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return queryset.filter(pk__in=related_admin.choices_queryset(request).values("pk"))


def show_rich_text_as_html(admin_form):
    """Mark the read-only rich-text values of an admin form (or inline formset) as safe HTML.

    The values were sanitised with nh3 when saved, and are sanitised again here, so what the
    admin prints is the allowed subset only. Editable fields keep their plain text: a textarea
    must show the HTML source escaped.
    """
    from django.utils.safestring import mark_safe

    from kib.richtext import RichTextField, sanitize_html

    if admin_form is None:
        return
    readonly = set(admin_form.readonly_fields)
    if hasattr(admin_form, "form"):  # the object's own form: read-only fields are left out of it
        forms_ = [admin_form.form]
        readonly -= set(admin_form.form.fields)
    else:  # an inline: without the right to change, every field it shows is read-only
        forms_ = admin_form.formset.forms
        if not admin_form.has_change_permission:
            readonly |= set(flatten_fieldsets(admin_form.fieldsets))
    for form in forms_:
        instance = form.instance
        for field in instance._meta.concrete_fields:
            if isinstance(field, RichTextField) and field.name in readonly:
                setattr(instance, field.attname, mark_safe(sanitize_html(getattr(instance, field.attname))))


class ReadOnlyAdminMixin:
    """For records the system writes (audit entries, PDF builds, import logs): look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FrozenCheckForm(forms.ModelForm):
    """Refuses, with the reason, a change to what a published edition shows (``kib.freeze``)."""

    def _post_clean(self):
        super()._post_clean()
        message = freeze.refusal(self.instance) or self._sources_refusal()
        if message:
            self.add_error(None, message)

    def _sources_refusal(self):
        """An indicator's sources are shown with it: a new choice is a change too."""
        instance = self.instance
        if "sources" not in self.fields or "sources" not in self.cleaned_data or instance.pk is None:
            return ""
        rule = freeze.rule_for(type(instance))
        chosen = {source.pk for source in self.cleaned_data["sources"]}
        if rule is None or chosen == set(instance.sources.values_list("pk", flat=True)):
            return ""
        years = rule.frozen_years([instance.pk])
        return freeze._message(instance, years) if years else ""


class FrozenDeleteCheckMixin:
    """For an inline's formset: rows marked for deletion that a published edition draws stay, with the reason."""

    def clean(self):
        super().clean()
        refusals = [
            freeze.refusal_to_delete(form.instance)
            for form in self.forms
            if getattr(form, "cleaned_data", {}).get("DELETE") and form.instance.pk is not None
        ]
        if any(refusals):
            raise ValidationError([message for message in refusals if message])


class ChapterLockForm(forms.ModelForm):
    """Carries the version of the chapter the user opened; refuses the save when it moved on."""

    chapter_version = forms.IntegerField(label=gettext_lazy("hoofdstukversie"), widget=forms.HiddenInput, required=False)
    kib_chapter_id = None  # set on the class by KibModelAdmin.get_form
    kib_chapter_version = None  # the version of the chapter the page shows, when the page is the chapter's own

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.kib_chapter_version
        if version is None:
            version = Chapter.objects.filter(pk=self.kib_chapter_id).values_list("version", flat=True).first()
        self.fields["chapter_version"].initial = version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("chapter_version")
        current = (
            Chapter.objects.select_for_update(of=("self",))
            .filter(pk=self.kib_chapter_id)
            .values("version", "state", "revised_by__username")
            .first()
        )
        if current is not None and current["version"] != seen:
            self.add_error(
                None,
                _(
                    "Iemand anders heeft dit hoofdstuk opgeslagen nadat u het opende (u opende versie %(seen)s, nu is het "
                    "versie %(now)s, status %(state)s%(by)s). Uw wijzigingen zijn níet opgeslagen; ze staan hieronder nog. "
                    "Vergelijk ze met de geschiedenis en sla opnieuw op om uw versie te bewaren."
                )
                % {
                    "seen": seen if seen is not None else "?",
                    "now": current["version"],
                    "state": Chapter.State(current["state"]).label,
                    "by": _(", laatst bewerkt door %(user)s") % {"user": current["revised_by__username"]}
                    if current["revised_by__username"]
                    else "",
                },
            )
            # The next save is a deliberate one over the newer version.
            self.data = self.data.copy()
            self.data[self.add_prefix("chapter_version")] = str(current["version"])
        return cleaned


def can_edit_chapter(request, chapter):
    """``scoping.can_edit_chapter`` for ``request.user``, decided once per request and chapter as it is in memory.

    A section page asks it for the page and for each inline row's permissions. The key holds every input: the
    chapter's and its edition's state and lead organisation as they are in memory, whether the user coordinates,
    and ``scoping.generation()`` (the rest of who sees what). A workflow step in the same request sets the new state
    on the chapter, so it is decided afresh; a published edition (frozen or not, by a correction opened meanwhile)
    is never remembered."""
    edition = chapter.edition
    user = request.user
    if edition.state == edition.State.PUBLISHED:
        return scoping.can_edit_chapter(user, chapter)
    memo = request.__dict__.setdefault("_kib_can_edit", {})
    key = (
        scoping.generation(),
        user.pk,
        scoping.is_coordinator(user),
        chapter.pk,
        chapter.state,
        chapter.lead_organisation_id,
        edition.pk,
        edition.state,
    )
    if key not in memo:
        memo[key] = scoping.can_edit_chapter(user, chapter)
    return memo[key]


class KibModelAdmin(ScopedChoicesMixin, SimpleHistoryAdmin):
    """Base of every KIB admin class.

    ``chapter_path`` tells the per-organisation scoping how a row reaches its chapter:
    ``""`` for Chapter itself, ``"chapter"`` or ``"group__chapter"`` for its parts,
    ``None`` for models that do not hang off a chapter (their scoping, if any, is
    defined by overriding ``scope_queryset``, and their editing rules by overriding
    ``can_change_object``).
    """

    list_per_page = 50
    chapter_path = None
    formfield_overrides = URL_FIELDS
    object_history_list_template = "admin/kib/object_history_list.html"

    def message_user(self, request, message, *args, **kwargs):
        """Django's messages say "De {name}"; a het-word such as hoofdstuk gets "Het" (kib.i18n)."""
        return super().message_user(request, i18n.with_article(message, self.model), *args, **kwargs)

    @admin.display(description=gettext_lazy("hoofdstukversie"))
    def chapter_version(self, obj):
        """The lock field, when the page is shown read-only (a revision, a frozen edition)."""
        chapter = self.chapter_of(obj)
        return chapter.version if chapter is not None else "–"

    # -- scoping -------------------------------------------------------------

    def scope_queryset(self, request, queryset):
        """Limit ``queryset`` to the rows ``request.user`` may reach. Override for models without a chapter."""
        if self.chapter_path is None:
            return queryset
        ids = scoping.visible_chapter_ids(request)  # once per request, and a flat list rather than a subquery
        return queryset if ids is None else queryset.filter(**{self._in_chapters: ids})

    @property
    def _in_chapters(self):
        return f"{self.chapter_path}__in" if self.chapter_path else "pk__in"

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def choices_queryset(self, request):
        """What a foreign key or many-to-many field elsewhere may point to: for chapter parts, parts of chapters
        the user may edit now; otherwise what the user reaches."""
        queryset = self.scope_queryset(request, self.model._default_manager.all())
        if self.chapter_path is None:
            return queryset
        return queryset.filter(**{self._in_chapters: scoping.editable_chapters(request.user).values("pk")})

    def get_search_results(self, request, queryset, search_term):
        """Autocomplete offers what a foreign key may point to, like the select boxes do."""
        if getattr(request.resolver_match, "url_name", None) == "autocomplete":
            queryset = queryset.filter(pk__in=self.choices_queryset(request).values("pk"))
        return super().get_search_results(request, queryset, search_term)

    def chapter_of(self, obj):
        """The chapter ``obj`` belongs to, following ``chapter_path`` (None for models without one)."""
        if self.chapter_path is None or obj is None:
            return None
        for name in filter(None, self.chapter_path.split("__")):
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj

    def can_view_object(self, request, obj):
        cache = request.__dict__.setdefault("_kib_can_view", {})
        key = (self.model._meta.label, obj.pk)
        if key not in cache:
            chapter = self.chapter_of(obj)
            if chapter is not None:
                cache[key] = scoping.can_view_chapter(request.user, chapter)
            else:
                cache[key] = self.scope_queryset(request, self.model._default_manager.filter(pk=obj.pk)).exists()
        return cache[key]

    def can_change_object(self, request, obj):
        """Whether ``obj`` may be changed or deleted now (on top of the model permission)."""
        chapter = self.chapter_of(obj)
        return chapter is None or can_edit_chapter(request, chapter)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or self.can_view_object(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or (self.can_view_object(request, obj) and self.can_change_object(request, obj))
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None
            or (
                self.can_view_object(request, obj)
                and self.can_change_object(request, obj)
                and not freeze.refusal_to_delete(obj)
            )
        )

    def get_deleted_objects(self, objs, request):
        """Bulk deletion stops at objects the user may not delete (another organisation's, frozen)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        locked = set()
        for obj in objs:
            if not self.has_delete_permission(request, obj):
                locked.add(freeze.refusal_to_delete(obj) or str(obj))
        return deleted, counts, set(perms_needed) | locked, protected

    # -- the chapter lock ------------------------------------------------------

    def chapter_id_of(self, obj):
        chapter = self.chapter_of(obj)
        return chapter.pk if chapter is not None else None

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.chapter_path is None or obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        if "chapter_version" in flatten_fieldsets(fieldsets):
            return fieldsets
        first, *rest = fieldsets
        options = {**first[1], "fields": [*first[1]["fields"], "chapter_version"]}
        return [(first[0], options), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if freeze.rule_for(self.model) is not None and obj is not None:
            kwargs["form"] = type("FrozenCheckForm", (FrozenCheckForm, kwargs.get("form", self.form)), {})
        if self.chapter_path is not None and obj is not None:
            kwargs["form"] = type("ChapterLockForm", (ChapterLockForm, kwargs.get("form", self.form)), {})
        form = super().get_form(request, obj, change, **kwargs)
        if issubclass(form, ChapterLockForm):
            form.kib_chapter_id = self.chapter_id_of(obj)
            if self.chapter_path == "":  # the chapter itself: the version read with what the form shows
                form.kib_chapter_version = obj.version
        return form

    def save_model(self, request, obj, form, change):
        chapter_id = self.chapter_id_of(obj)
        if chapter_id is not None:
            seen = form.cleaned_data.get("chapter_version") if isinstance(form, ChapterLockForm) else None
            record_revision(chapter_id, request.user, seen)
            if self.chapter_path == "":  # the chapter itself: keep what the save above and the workflow set
                obj.version, obj.state, obj.revised_by_id = self.model._default_manager.values_list(
                    "version", "state", "revised_by"
                ).get(pk=obj.pk)
            elif isinstance(form, ChapterLockForm) and form.kib_chapter_id not in (None, chapter_id):
                record_revision(form.kib_chapter_id, request.user)  # moved to another chapter
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        chapter_id = self.chapter_id_of(obj) if self.chapter_path else None
        super().delete_model(request, obj)
        if chapter_id is not None:
            record_revision(chapter_id, request.user)

    def response_action(self, request, queryset):
        """A bulk action that touches a row of a published edition stops with the reason, changing nothing."""
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except (freeze.FrozenEdition, freeze.FrozenEditionProtected) as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request, queryset):
        chapter_ids = {self.chapter_id_of(obj) for obj in queryset} - {None} if self.chapter_path else set()
        super().delete_queryset(request, queryset)
        for chapter_id in chapter_ids:
            record_revision(chapter_id, request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (freeze.FrozenEdition, freeze.FrozenEditionProtected) as refused:  # the model said no
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except ChapterChanged:
            # Lost a race after validating: show the form again, whose check now reports the conflict.
            return super().changeform_view(request, object_id, form_url, extra_context)

    # -- read-only rich text ---------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Rich text shown read-only (a submitted chapter, a frozen edition) reads as text, not as tags."""
        show_rich_text_as_html(context.get("adminform"))
        for inline in context.get("inline_admin_formsets", ()):
            show_rich_text_as_html(inline)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- history ---------------------------------------------------------------

    def _current(self, obj):
        """History views hand over historical instances; rights depend on the object as it is now."""
        if obj is None or not hasattr(obj, "_history"):
            return obj
        current = self.model._default_manager.filter(pk=obj.pk).first()
        if current is None:
            raise Http404
        return current

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_permission(request, self._current(obj))

    def has_change_history_permission(self, request, obj=None):
        return self.has_change_permission(request, self._current(obj))

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return self.has_view_history_permission(request, obj)

    def _reachable(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._reachable(request, object_id)
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            # A model without django-simple-history (recommendations): Django's own history of admin actions.
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """View one revision; POST restores it, through the lock and the freeze like any save."""
        obj = self._reachable(request, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        request.kib_restoring = version_id
        try:
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except ChapterChanged:
            with transaction.atomic():  # the form's check now reports the conflict
                return super().history_form_view(request, object_id, version_id, extra_context)

    def _compare_point(self, records, value):
        """A point to compare: a revision's id, ``now`` (as it is now) or ``t:<ISO time>`` (as it was then).
        Returns the object's revision at that point and the moment."""
        if value == "now":
            return records.order_by("-history_date", "-history_id").first(), timezone.now()
        if value and value.startswith("t:"):
            moment = parse_datetime(value[2:])
            if moment is None:
                raise Http404
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return records.filter(history_date__lte=moment).order_by("-history_date", "-history_id").first(), moment
        try:
            record = records.get(history_id=value)
        except (records.model.DoesNotExist, ValueError):
            raise Http404 from None
        return record, record.history_date

    def compare_parts_context(self, request, obj, old_moment, new_moment):
        """More to show on the comparison of two moments (a chapter adds its parts)."""
        return {}

    def history_compare_view(self, request, object_id):
        """A field-by-field comparison of two revisions (``?old=`` and ``?new=``: history ids, ``now``
        or ``t:<ISO time>``), with the dates the Dutch way."""
        from kib.workflow.diff import compare_records

        obj = self._reachable(request, object_id)
        records = self.model.history.filter(**{self.model._meta.pk.attname: obj.pk}).select_related("history_user")
        old, old_moment = self._compare_point(records, request.GET.get("old"))
        new, new_moment = self._compare_point(records, request.GET.get("new"))
        if old is None or new is None:
            raise Http404
        if old_moment > new_moment:
            old, new, old_moment, new_moment = new, old, new_moment, old_moment
        context = {
            **self.admin_site.each_context(request),
            "title": _("Versies vergelijken: %(object)s") % {"object": obj},
            "opts": self.model._meta,
            "object": obj,
            "old": old,
            "new": new,
            "old_moment": old_moment,
            "new_moment": new_moment,
            "new_is_now": "now" in (request.GET.get("old"), request.GET.get("new")),
            "changes": compare_records(old, new) if old.history_id != new.history_id else [],
            **self.compare_parts_context(request, obj, old_moment, new_moment),
        }
        return render(request, "admin/kib/history_compare.html", context)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view(self.history_compare_view)
        name = "{}_{}_history_compare".format(*info)
        return [path("<path:object_id>/history/compare/", view, name=name), *super().get_urls()]


class KibInlineMixin(ScopedChoicesMixin):
    """Inlines may be changed only when the page's object may be; rows a published edition draws stay as they are."""

    extra = 0
    formfield_overrides = URL_FIELDS
    form = FrozenCheckForm

    def get_formset(self, request, obj=None, **kwargs):
        base = kwargs.get("formset", self.formset)  # an inline formset, or a generic one
        kwargs["formset"] = type(f"FrozenCheck{base.__name__}", (FrozenDeleteCheckMixin, base), {})
        return super().get_formset(request, obj, **kwargs)

    def _parent_editable(self, request, obj):
        parent_admin = self.admin_site._registry.get(self.parent_model)
        return (
            obj is None
            or not isinstance(parent_admin, KibModelAdmin)
            or parent_admin.has_change_permission(request, obj)
        )

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)


class KibTabularInline(KibInlineMixin, admin.TabularInline):
    pass


class KibStackedInline(KibInlineMixin, admin.StackedInline):
    pass
