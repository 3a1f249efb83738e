from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "kib.workflow"
    label = "workflow"
    verbose_name = _("Redactieproces")

    def ready(self):
        from kib.workflow.roles import sync_roles_after_migrate

        # The roles are created by migration 0002; this keeps them complete when later
        # migrations add models, and after a test database is flushed.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="kib.workflow.roles")
