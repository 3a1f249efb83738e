from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _


class KibAdminSite(admin.AdminSite):
    site_header = _("KIB – Kinderrechten in Beweging")
    site_title = _("KIB-redactie")
    index_title = _("Redactie")
    index_template = "admin/kib/index.html"

    def get_urls(self):
        from kib.workflow.views import dashboard

        return [
            path("dashboard/", self.admin_view(dashboard), name="workflow_dashboard"),
            path("dashboard/<int:year>/", self.admin_view(dashboard), name="workflow_dashboard"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        from kib.workflow.views import dashboard_editions

        extra_context = {**(extra_context or {}), "dashboard_editions": dashboard_editions(request.user)}
        return super().index(request, extra_context)
