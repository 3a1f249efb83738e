from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class KibAdminSite(admin.AdminSite):
    site_header = _("KIB – Kinderrechten in Beweging")
    site_title = _("KIB-redactie")
    index_title = _("Redactie")
