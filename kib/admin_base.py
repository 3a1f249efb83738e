"""Base classes every KIB admin class derives from.

Keeping one base means rules that apply to all admin pages (history, and the
per-organisation scoping of the workflow) live in one place.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class KibModelAdmin(SimpleHistoryAdmin):
    """Base of every KIB admin class.

    ``chapter_path`` tells the per-organisation scoping how a row reaches its chapter:
    ``""`` for Chapter itself, ``"chapter"`` or ``"group__chapter"`` for its parts,
    ``None`` for models that do not hang off a chapter (their scoping, if any, is
    defined by overriding ``scope_queryset``).
    """

    list_per_page = 50
    chapter_path = None


class KibTabularInline(admin.TabularInline):
    extra = 0


class KibStackedInline(admin.StackedInline):
    extra = 0
