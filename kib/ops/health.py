"""``/healthz``: is this instance able to serve and to publish?

Checks the database (one ``SELECT 1``); the PDF worker's queue: the oldest task that is
ready to run must have waited less than ``KIB_HEALTH_QUEUE_MAX_AGE`` seconds, and no task may
be running longer than a build may take (``KIB_PDF_TIMEOUT`` plus a lease), or the worker
(``manage.py db_worker``) is not running or is stuck; the PDF builds: none whose lease ran out
(its worker died) or running past its limit; and the published PDFs: every published edition
has one, and its stored file matches its size and SHA-256 (checked once per file and process).
Answers JSON, 200 when every check passes and 503 otherwise; a monitor needs nothing else. The
liveness probe without database is ``/ping``.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
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
        running = Q(status=TaskResultStatus.RUNNING)
        stats = DBTaskResult.objects.aggregate(
            ready=Count("pk", filter=ready),
            running=Count("pk", filter=running),
            running_too_long=Count("pk", filter=running & Q(started_at__lt=now - _build_limit())),
            oldest_enqueued=Min("enqueued_at", filter=ready & Q(run_after=never)),
            oldest_due=Min("run_after", filter=ready & ~Q(run_after=never)),
        )
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    waiting_since = min((t for t in (stats["oldest_enqueued"], stats["oldest_due"]) if t), default=None)
    age = round((now - waiting_since).total_seconds()) if waiting_since else None
    return {
        "ok": (age is None or age < max_age) and not stats["running_too_long"],
        "ready": stats["ready"],
        "running": stats["running"],
        "running_too_long": stats["running_too_long"],
        "oldest_ready_seconds": age,
        "max_seconds": max_age,
    }


def _build_limit():
    """How long a task or build may run: a build's own limit plus one lease for storing it."""
    return timedelta(seconds=settings.KIB_PDF_TIMEOUT + settings.KIB_PDF_LEASE_SECONDS)


def check_builds(now=None):
    """PDF builds whose worker died (lease ran out) or that run past their limit."""
    from kib.publication.models import PdfBuild
    from kib.publication.services import stalled_builds

    now = now or timezone.now()
    try:
        stalled = list(stalled_builds(now).values_list("pk", flat=True))
        too_long = list(
            PdfBuild.objects.filter(status=PdfBuild.Status.RUNNING, started_at__lt=now - _build_limit()).values_list(
                "pk", flat=True
            )
        )
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": not (stalled or too_long), "stalled": stalled, "running_too_long": too_long}


def check_pdfs():
    """The stored file of each current PDF and each data file is intact, and no published edition is left without
    its PDF because its build failed (an edition never built, e.g. an imported archive, is not counted)."""
    from kib.models import Edition
    from kib.publication.datafiles import check_published_data_files
    from kib.publication.models import PdfBuild, PublishedPdf
    from kib.publication.services import check_published_files

    try:
        damaged = [f"{pdf.edition.year} v{pdf.version}: {pdf.damage}" for pdf in check_published_files()]
        damaged += [f"{file.edition.year} {file.identifier}: {file.damage}" for file in check_published_data_files()]
        latest_build = PdfBuild.objects.filter(
            edition=OuterRef("pk"), kind=PdfBuild.Kind.PUBLISHED, repairs__isnull=True
        ).order_by("-created_at", "-pk")
        missing = list(
            Edition.objects.published()
            .exclude(Exists(PublishedPdf.objects.filter(edition=OuterRef("pk"), is_current=True)))
            .annotate(last_status=Subquery(latest_build.values("status")[:1]))
            .filter(last_status=PdfBuild.Status.FAILED)
            .values_list("year", flat=True)
        )
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": not (damaged or missing), "damaged": damaged, "failed_without_pdf": missing}


@never_cache
@require_safe
def healthz(request):
    database = check_database()
    down = {"ok": False, "error": "database unavailable"}
    checks = {
        "database": database,
        "queue": check_queue() if database["ok"] else down,
        "builds": check_builds() if database["ok"] else down,
        "pdfs": check_pdfs() if database["ok"] else down,
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "fail", "checks": checks}
    return JsonResponse(body, status=200 if ok else 503)
