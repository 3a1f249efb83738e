"""Base classes every KIB admin class derives from.

Keeping one base means rules that apply to all admin pages (history, and the
per-organisation scoping of the workflow) live in one place.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class KibModelAdmin(SimpleHistoryAdmin):
    list_per_page = 50


class KibTabularInline(admin.TabularInline):
    extra = 0


class KibStackedInline(admin.StackedInline):
    extra = 0
