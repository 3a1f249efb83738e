from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kib.admin_base import KibModelAdmin, KibTabularInline
from kib.models import Edition, Membership, Organisation, Source


class MembershipInline(KibTabularInline):
    model = Membership
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(KibModelAdmin):
    list_display = ["name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Edition)
class EditionAdmin(KibModelAdmin):
    list_display = ["year", "title", "series", "state", "publication_date"]
    list_filter = ["state", "series"]
    search_fields = ["title", "year"]
    list_select_related = ["concluding_observations"]
    fieldsets = [
        (None, {"fields": ["year", "title", "subtitle", "series", "state", "concluding_observations"]}),
        (
            _("Verslagperiode en publicatie"),
            {"fields": ["reporting_period_start", "reporting_period_end", "publication_date"]},
        ),
        (_("Teksten"), {"fields": ["introduction", "reading_guide", "about", "closing", "colophon"]}),
    ]


@admin.register(Source)
class SourceAdmin(KibModelAdmin):
    list_display = ["__str__", "publisher", "url", "published_on"]
    search_fields = ["title", "publisher", "url"]
