from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from kib.ops import second_factor


class KibAdminSite(admin.AdminSite):
    site_header = _("KIB – Kinderrechten in Beweging")
    site_title = _("KIB-redactie")
    index_title = _("Redactie")
    index_template = "admin/kib/index.html"
    login_template = "admin/kib/login.html"
    login_form = second_factor.KibAdminAuthenticationForm

    def has_permission(self, request):
        """Staff, and for coordinators and administrators a session verified with a second factor."""
        return super().has_permission(request) and second_factor.satisfied(request)

    def login(self, request, extra_context=None):
        if request.method == "GET" and request.user.is_authenticated and second_factor.must_enrol(request):
            return redirect(reverse(f"{self.name}:second_factor"))
        extra_context = {**(extra_context or {}), "second_factor": second_factor.enabled()}
        return super().login(request, extra_context)

    def get_urls(self):
        from kib.workflow.views import chapter_carried_over, dashboard, edition_carried_over

        return [
            path("tabellen/", self.admin_view(self.tables), name="tables"),
            path("dashboard/", self.admin_view(dashboard), name="workflow_dashboard"),
            path("dashboard/<int:year>/", self.admin_view(dashboard), name="workflow_dashboard"),
            path(
                "overgenomen/hoofdstuk/<int:pk>/", self.admin_view(chapter_carried_over), name="workflow_carried_over"
            ),
            path(
                "overgenomen/editie/<int:pk>/",
                self.admin_view(edition_carried_over),
                name="workflow_edition_carried_over",
            ),
            path("tweestapsverificatie/", second_factor.enrol_view(self), name="second_factor"),
            *super().get_urls(),
        ]

    def each_context(self, request):
        """The header greets the person by name, with their organisation(s), not by user name or role."""
        context = super().each_context(request)
        user = request.user
        if user.is_authenticated:
            from kib.models import Organisation

            context["kib_user_name"] = user.get_full_name() or user.get_username()
            names = Organisation.objects.filter(memberships__user=user).order_by("name").values_list("name", flat=True)
            context["kib_user_organisations"] = ", ".join(names)
        return context

    def index(self, request, extra_context=None):
        """The start page is "Mijn werk"; the list of tables is one click away (``tables``)."""
        from kib.workflow.mywork import my_work

        return my_work(request)

    def tables(self, request, extra_context=None):
        from kib.workflow.views import dashboard_editions

        extra_context = {**(extra_context or {}), "dashboard_editions": dashboard_editions(request.user)}
        return super().index(request, extra_context)
