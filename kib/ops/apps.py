from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running KIB in production: request and security logging, the health check, edition archives."""

    name = "kib.ops"
    label = "ops"
    verbose_name = _("Beheer en beveiliging")

    def ready(self):
        from kib.ops import security, workflow_log

        security.connect_signals()
        workflow_log.connect_signals()
