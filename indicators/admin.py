from django.contrib import admin

from indicators.models import DataGap, Indicator, Observation
from kib.admin_base import KibModelAdmin, KibTabularInline


class ObservationInline(KibTabularInline):
    model = Observation
    fields = ["period", "territory", "sex", "age_group", "breakdown", "value", "flag", "note"]


@admin.register(Indicator)
class IndicatorAdmin(KibModelAdmin):
    list_display = ["name", "code", "theme", "unit"]
    list_filter = ["theme"]
    search_fields = ["name", "code"]
    list_select_related = ["theme"]
    filter_horizontal = ["sources"]
    inlines = [ObservationInline]


@admin.register(Observation)
class ObservationAdmin(KibModelAdmin):
    list_display = ["indicator", "period", "territory", "sex", "age_group", "breakdown", "value", "flag"]
    list_filter = ["territory", "flag", "indicator__theme"]
    search_fields = ["indicator__name", "period"]
    list_select_related = ["indicator"]


@admin.register(DataGap)
class DataGapAdmin(KibModelAdmin):
    list_display = ["description", "chapter", "recommendation", "territory", "status"]
    list_filter = ["status", "territory", "chapter__edition"]
    search_fields = ["description", "holder"]
    list_select_related = ["chapter__edition", "chapter__theme", "recommendation"]
    autocomplete_fields = ["recommendation", "indicator"]
