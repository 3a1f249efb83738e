from django.contrib import admin

from kib.admin_base import KibModelAdmin, KibTabularInline
from recommendations.models import ConcludingObservations, Recommendation


class RecommendationInline(KibTabularInline):
    model = Recommendation
    fields = ["code", "theme", "text"]


@admin.register(ConcludingObservations)
class ConcludingObservationsAdmin(KibModelAdmin):
    chapter_path = None  # the UN's text: the same for everybody
    list_display = ["symbol", "title", "adopted_on"]
    search_fields = ["symbol", "title"]
    inlines = [RecommendationInline]


@admin.register(Recommendation)
class RecommendationAdmin(KibModelAdmin):
    chapter_path = None  # the UN's text: the same for everybody
    list_display = ["code", "theme", "concluding_observations", "short_text"]
    list_filter = ["concluding_observations", "theme"]
    search_fields = ["code", "text"]
    list_select_related = ["theme", "concluding_observations"]
    ordering = ["concluding_observations", "sort_key"]

    @admin.display(description="tekst")
    def short_text(self, obj):
        from django.utils.html import strip_tags

        text = strip_tags(obj.text)
        return text[:120] + ("…" if len(text) > 120 else "")
