"""One log line per workflow transition, on the ``kib.workflow`` logger.

Every state change goes through ``kib.workflow.services``, which writes an ``AuditEntry``;
each new entry becomes one line once its transaction commits (a step that is rolled back
leaves no line). The line names the action, the object (model and id), the states and the
user's id; the free-text comment stays in the audit log in the database.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save

from kib.ops.logs import log_event

logger = logging.getLogger("kib.workflow")


def on_audit_entry(sender, instance, created, raw=False, using=None, **kwargs):
    if not created or raw:
        return
    fields = {
        "action": instance.action,
        "object": f"{instance.content_type.app_label}.{instance.content_type.model}",
        "object_id": instance.object_id,
        "from_state": instance.from_state,
        "to_state": instance.to_state,
        "user_id": instance.user_id,
    }
    transaction.on_commit(lambda: log_event(logger, "transition", **fields), using=using)


def connect_signals():
    from kib.workflow.models import AuditEntry

    post_save.connect(on_audit_entry, sender=AuditEntry, dispatch_uid="kib.ops.workflow_log")
