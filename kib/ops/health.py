"""``/healthz``: is this instance able to serve and to publish?

Checks the database (one ``SELECT 1``) and the PDF worker's queue: the oldest task that is
ready to run must have waited less than ``KIB_HEALTH_QUEUE_MAX_AGE`` seconds, or the worker
(``manage.py db_worker``) is not running or is stuck. Answers JSON, 200 when both checks
pass and 503 otherwise; a monitor needs nothing else. The liveness probe without database
is ``/ping``.
"""

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def check_database():
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_queue(now=None):
    """Age of the oldest task ready to run (waiting since it was enqueued, or since its ``run_after``)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    max_age = settings.KIB_HEALTH_QUEUE_MAX_AGE
    never = get_date_max()
    try:
        ready = Q(status=TaskResultStatus.READY) & (Q(run_after=never) | Q(run_after__lte=now))
        stats = DBTaskResult.objects.aggregate(
            ready=Count("pk", filter=ready),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            oldest_enqueued=Min("enqueued_at", filter=ready & Q(run_after=never)),
            oldest_due=Min("run_after", filter=ready & ~Q(run_after=never)),
        )
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    waiting_since = min((t for t in (stats["oldest_enqueued"], stats["oldest_due"]) if t), default=None)
    age = round((now - waiting_since).total_seconds()) if waiting_since else None
    return {
        "ok": age is None or age < max_age,
        "ready": stats["ready"],
        "running": stats["running"],
        "oldest_ready_seconds": age,
        "max_seconds": max_age,
    }


@never_cache
@require_safe
def healthz(request):
    database = check_database()
    queue = check_queue() if database["ok"] else {"ok": False, "error": "database unavailable"}
    ok = database["ok"] and queue["ok"]
    body = {"status": "ok" if ok else "fail", "checks": {"database": database, "queue": queue}}
    return JsonResponse(body, status=200 if ok else 503)
