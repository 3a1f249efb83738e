from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class KibConfig(AppConfig):
    default = True
    name = "kib"
    verbose_name = _("Edities en organisaties")

    def ready(self):
        from kib import freeze, public_cache

        public_cache.connect_signals()  # a committed content change starts a new version of the public pages
        freeze.connect()  # what a published edition shows changes only through a correction


class KibAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kib.admin_site.KibAdminSite"
