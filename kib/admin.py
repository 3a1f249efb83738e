from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kib.admin_base import KibModelAdmin, KibTabularInline
from kib.models import Edition, Membership, Organisation, Source
from kib.workflow import scoping
from kib.workflow.admin import EditionWorkflowMixin
from themes.models import Citation


class MembershipInline(KibTabularInline):
    model = Membership
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(KibModelAdmin):
    chapter_path = None
    list_display = ["name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Edition)
class EditionAdmin(EditionWorkflowMixin, KibModelAdmin):
    chapter_path = None
    list_display = ["year", "title", "series", "state", "publication_date"]
    list_filter = ["state", "series"]
    search_fields = ["title", "year"]
    list_select_related = ["concluding_observations"]
    fieldsets = [
        (
            None,
            {"fields": ["year", "title", "subtitle", "series", ("state", "published_at"), "concluding_observations"]},
        ),
        (
            _("Verslagperiode en publicatie"),
            {"fields": ["reporting_period_start", "reporting_period_end", "publication_date"]},
        ),
        (_("Teksten"), {"fields": ["introduction", "reading_guide", "about", "closing", "colophon"]}),
    ]
    readonly_fields = ["state", "published_at"]

    def scope_queryset(self, request, queryset):
        if scoping.sees_all_chapters(request.user):
            return queryset
        return queryset.filter(pk__in=scoping.visible_chapters(request.user).values("edition"))

    def can_change_object(self, request, obj):
        """A published edition is frozen, also for superusers, unless a correction is open."""
        return not scoping.is_frozen(obj)


@admin.register(Source)
class SourceAdmin(KibModelAdmin):
    chapter_path = None
    list_display = ["__str__", "publisher", "url", "published_on"]
    search_fields = ["title", "publisher", "url"]

    def scope_queryset(self, request, queryset):
        """Editors reach the sources of their chapters and of published reports, and sources nobody cites yet."""
        if scoping.sees_all_chapters(request.user):
            return queryset
        cited = Citation.objects.filter(
            Q(chapter__in=scoping.visible_chapters(request.user).values("pk"))
            | Q(chapter__edition__state=Edition.State.PUBLISHED)
        )
        return queryset.filter(
            Q(pk__in=cited.values("source")) | ~Exists(Citation.objects.filter(source=OuterRef("pk")))
        )

    def can_change_object(self, request, obj):
        """A source is part of every chapter citing it: it changes only when all of those may."""
        citations = Citation.objects.filter(source=obj)
        if scoping.is_coordinator(request.user):
            return not citations.filter(chapter__edition__in=scoping.frozen_editions()).exists()
        return not citations.exclude(chapter__in=scoping.editable_chapters(request.user).values("pk")).exists()
