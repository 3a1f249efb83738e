from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "kib.workflow"
    label = "workflow"
    verbose_name = _("Redactieproces")

    def ready(self):
        from kib.workflow import freshness, scoping
        from kib.workflow.roles import sync_roles_after_migrate
        from kib.workflow.signals import chapter_copied

        # The roles are created by migration 0002; this keeps them complete when later
        # migrations add models, and after a test database is flushed.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="kib.workflow.roles")
        # Texts carried into next year's edition are recorded, and marked changed when saved.
        chapter_copied.connect(freshness.on_chapter_copied, dispatch_uid="kib.workflow.freshness")
        freshness.connect()
        # Request memos of who sees which chapter are dropped when a chapter, its organisations or a membership change.
        scoping.connect()
