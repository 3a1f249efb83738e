"""Building and publishing the PDF: the only code that creates PdfBuild and PublishedPdf rows.

- ``build_published_pdf(edition, requested_by=None)`` queues a build of the published PDF
  (the workflow's ``edition_published`` and ``correction_closed`` signals call it);
- ``build_published_pdf_now(edition)`` builds it at once (``load_demo``, ``manage.py``);
- ``request_preview(edition, chapter=None, user=None)`` queues a draft preview, or returns
  the finished preview of identical content;
- ``run_build(build)`` does the work; the background tasks ``build_pdf`` and ``watch_build``
  (django-tasks, run by ``manage.py db_worker``) are defined at the end of this module.

A build writes to a temporary file first; only a finished PDF is stored and switched to
``is_current`` in one transaction, so a failed or timed-out build (a full disk included) leaves
the previous version (and the edition) as they were.

**Builds heal.** A worker claims a build with one conditional UPDATE (two workers never run one
build) and renews its lease (``heartbeat_at``) from a thread while it builds. ``watch_build``,
queued next to every build of a published PDF, looks again every lease: a build whose heartbeat
stopped (the worker was killed) is queued again, at most ``KIB_PDF_MAX_ATTEMPTS`` runs in all,
then marked failed with the reason; the dead worker's task is marked failed too.

**Files are checked.** ``verify_stored`` compares a stored PDF's size and SHA-256 with its record
before it is served, hashing each file once per process (it is known again by its size and
modification time). A damaged or missing current PDF is marked (``damaged_at``), logged, and
rebuilt from the frozen edition by a repair build, without a person.
"""

import errno
import functools
import hashlib
import logging
import os
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from kib.models import Edition
from kib.publication.exporter import EditionPdfExporter, content_hash
from kib.publication.models import PdfBuild, PublishedPdf, preview_storage

log = logging.getLogger(__name__)


class PdfBuildFailed(Exception):
    """The build did not produce a PDF; ``build.error`` says why."""

    def __init__(self, build):
        super().__init__(build.error)
        self.build = build


def published_filename(edition, version):
    base = slugify(edition.title)
    if str(edition.year) not in base:
        base = f"{base}-{edition.year}"
    return f"{base}-v{version}.pdf"


def _enqueue(build):
    _enqueue_task(build)
    if build.kind != PdfBuild.Kind.PREVIEW:
        _watch_later(build)
    return build


def _enqueue_task(build):
    """Queue the build task; the build remembers it (a dead worker's task is closed by the watchdog)."""
    result = build_pdf.enqueue(build.pk)
    PdfBuild.objects.filter(pk=build.pk).update(task_id=str(result.id))
    build.task_id = str(result.id)


def _watch_later(build):
    """Queue the watchdog of ``build`` one lease from now (a backend that runs tasks at once needs none)."""
    if not watch_build.get_backend().supports_defer:
        return
    run_after = timezone.now() + timedelta(seconds=settings.KIB_PDF_LEASE_SECONDS)
    watch_build.using(run_after=run_after).enqueue(build.pk)


def build_published_pdf(edition, requested_by=None):
    """Queue a build of the edition's published PDF; returns the PdfBuild (status in the admin)."""
    build = PdfBuild.objects.create(edition=edition, kind=PdfBuild.Kind.PUBLISHED, requested_by=requested_by)
    return _enqueue(build)


def repair_published_pdf(pdf):
    """Queue a rebuild of a damaged current PDF from its frozen edition, unless one is already on its way."""
    waiting = PdfBuild.objects.filter(repairs=pdf, status__in=[PdfBuild.Status.QUEUED, PdfBuild.Status.RUNNING])
    if waiting.exists():
        return waiting.first()
    build = PdfBuild.objects.create(edition_id=pdf.edition_id, kind=PdfBuild.Kind.PUBLISHED, repairs=pdf)
    return _enqueue(build)


def build_published_pdf_now(edition, requested_by=None):
    """Build, store and switch to a new published version now; returns the PublishedPdf."""
    build = PdfBuild.objects.create(edition=edition, kind=PdfBuild.Kind.PUBLISHED, requested_by=requested_by)
    run_build(build)
    if build.status != PdfBuild.Status.DONE:
        raise PdfBuildFailed(build)
    return build.published_pdf


def request_preview(edition, chapter=None, user=None):
    """A draft preview of the edition or one chapter: an earlier one of the same content, or a new build."""
    exporter = EditionPdfExporter(edition, draft=True, chapter=chapter)
    digest = content_hash(exporter.render_html())
    for earlier in PdfBuild.objects.filter(
        edition=edition, chapter=chapter, kind=PdfBuild.Kind.PREVIEW, content_hash=digest
    ).exclude(status=PdfBuild.Status.FAILED):
        if earlier.status != PdfBuild.Status.DONE or (earlier.file and preview_storage.exists(earlier.file.name)):
            return earlier
    build = PdfBuild.objects.create(
        edition=edition, chapter=chapter, kind=PdfBuild.Kind.PREVIEW, requested_by=user, content_hash=digest
    )
    return _enqueue(build)


def _lease():
    return timedelta(seconds=settings.KIB_PDF_LEASE_SECONDS)


def _claim(build):
    """Take ``build`` for this worker: one conditional UPDATE, so two workers never run the same build."""
    now = timezone.now()
    takeable = Q(status=PdfBuild.Status.QUEUED) | Q(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - _lease()), status=PdfBuild.Status.RUNNING
    )
    claimed = PdfBuild.objects.filter(takeable, pk=build.pk).update(
        status=PdfBuild.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    build.refresh_from_db()
    return bool(claimed)


class _Heartbeat(threading.Thread):
    """Renews the lease of a running build every quarter lease, on its own database connection."""

    def __init__(self, build_id):
        super().__init__(name=f"pdf-heartbeat-{build_id}", daemon=True)
        self.build_id = build_id
        self.done = threading.Event()

    def run(self):
        interval = max(settings.KIB_PDF_LEASE_SECONDS / 4, 0.2)
        try:
            while not self.done.wait(interval):
                try:
                    PdfBuild.objects.filter(pk=self.build_id, status=PdfBuild.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a database hiccup: the next beat tries again
                    log.warning("pdf build %s: heartbeat failed", self.build_id, exc_info=True)
        finally:
            connection.close()

    def stop(self):
        self.done.set()
        self.join(timeout=10)


def _describe_error(exc):
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return _("De schijf is vol (ENOSPC); de vorige pdf blijft staan. Maak ruimte en publiceer opnieuw.")
    return f"{type(exc).__name__}: {exc}"


def run_build(build):
    """Claim and build one PdfBuild: render, write to a temporary file, then store it. Never raises for a bad build.

    Returns the build; when another worker holds it (or it is finished), nothing is done.
    """
    if not _claim(build):
        return build
    heartbeat = _Heartbeat(build.pk)
    heartbeat.start()
    started = time.monotonic()
    tmp_dir = Path(tempfile.mkdtemp(prefix="kib-pdf-"))
    tmp_path = tmp_dir / "build.pdf"
    try:
        edition = Edition.objects.get(pk=build.edition_id)
        if build.kind == PdfBuild.Kind.PUBLISHED and not edition.is_published:
            raise ValueError(_("De editie is niet gepubliceerd; bouw een conceptversie."))
        exporter = EditionPdfExporter(edition, draft=build.kind == PdfBuild.Kind.PREVIEW, chapter=build.chapter)
        html = exporter.render_html()
        result = exporter.write_pdf(tmp_path, html=html)
        if build.repairs_id:
            build.published_pdf = _store_repair(build.repairs_id, tmp_path, result)
        elif build.kind == PdfBuild.Kind.PUBLISHED:
            build.published_pdf = _store_published(edition, tmp_path, result)
        else:
            build.content_hash = content_hash(html)
            with open(tmp_path, "rb") as handle:
                build.file.save(f"{build.content_hash[:16]}-{exporter.filename}", File(handle), save=False)
        build.status = PdfBuild.Status.DONE
        build.page_count = result.page_count
        build.error = ""
    except Exception as exc:  # the build fails, the previous PDF stays
        log.exception("pdf build %s failed", build.pk)
        build.status = PdfBuild.Status.FAILED
        build.error = _describe_error(exc)[:4000]
    finally:
        heartbeat.stop()
        if tmp_path.exists():
            os.remove(tmp_path)
        os.rmdir(tmp_dir)
    build.finished_at = timezone.now()
    build.duration = timedelta(seconds=time.monotonic() - started)
    build.save()
    return build


def _store_published(edition, path, result):
    """Store the file as the next version and make it the current one, in one transaction."""
    with transaction.atomic():
        Edition.objects.select_for_update().get(pk=edition.pk)
        version = (PublishedPdf.objects.filter(edition=edition).aggregate(v=Max("version"))["v"] or 0) + 1
        with open(path, "rb") as handle:
            name = default_storage.save(f"publicaties/{published_filename(edition, version)}", File(handle))
        try:
            PublishedPdf.objects.filter(edition=edition, is_current=True).update(is_current=False)
            return PublishedPdf.objects.create(
                edition=edition,
                version=version,
                file=name,
                sha256=result.sha256,
                size=result.size,
                page_count=result.page_count,
                is_current=True,
            )
        except Exception:
            default_storage.delete(name)
            raise


def _store_repair(pdf_id, path, result):
    """Write a damaged PDF again, from its frozen edition: the same version, under the same name, gets the new file."""
    with transaction.atomic():
        pdf = PublishedPdf.objects.select_for_update().select_related("edition").get(pk=pdf_id)
        name = pdf.file.name or f"publicaties/{published_filename(pdf.edition, pdf.version)}"
        if default_storage.exists(name):
            default_storage.delete(name)  # the damaged bytes: nothing in them is worth keeping
        with open(path, "rb") as handle:
            pdf.file.name = default_storage.save(name, File(handle))
        pdf.sha256, pdf.size, pdf.page_count = result.sha256, result.size, result.page_count
        pdf.damaged_at, pdf.damage, pdf.repaired_at = None, "", timezone.now()
        pdf.save()
    log.warning("event=pdf_repaired edition=%s version=%s", pdf.edition.year, pdf.version)
    return pdf


# -- healing: builds whose worker died -------------------------------------------------


def stalled_builds(now=None):
    """Running builds whose lease ran out: their worker stopped (killed, machine gone)."""
    now = now or timezone.now()
    return PdfBuild.objects.filter(status=PdfBuild.Status.RUNNING).filter(
        Q(heartbeat_at__lt=now - _lease()) | Q(heartbeat_at__isnull=True, started_at__lt=now - _lease())
    )


def _fail_orphan_task(build, now, reason):
    """The dead worker's task row stays "running" for ever: close it with the reason."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if build.task_id:
        DBTaskResult.objects.filter(id=build.task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="kib.publication.services.WorkerLost",
            traceback=reason,
        )


def recover_stalled_builds(now=None):
    """Queue every stalled build again, or mark it failed after KIB_PDF_MAX_ATTEMPTS runs; returns them."""
    now = now or timezone.now()
    requeued, touched = [], []
    with transaction.atomic():
        for build in stalled_builds(now).select_for_update(skip_locked=True):
            beat = timezone.localtime(build.heartbeat_at or build.started_at).strftime("%H:%M:%S")
            reason = _("De worker stopte tijdens poging %(n)s (laatste hartslag %(beat)s).") % {
                "n": build.attempts,
                "beat": beat,
            }
            _fail_orphan_task(build, now, reason)
            if build.attempts >= settings.KIB_PDF_MAX_ATTEMPTS:
                build.status = PdfBuild.Status.FAILED
                build.finished_at = now
                build.error = (
                    reason
                    + " "
                    + _("Na %(n)s pogingen opgegeven; publiceer opnieuw of open een correctie.") % {"n": build.attempts}
                )
            else:
                build.status = PdfBuild.Status.QUEUED
                build.error = reason + " " + _("Opnieuw in de wachtrij.")
                requeued.append(build)
            build.save(update_fields=["status", "error", "finished_at"])
            log.warning(
                "event=pdf_build_stalled build=%s attempts=%s status=%s", build.pk, build.attempts, build.status
            )
            touched.append(build)
        for build in requeued:
            transaction.on_commit(lambda build=build: _enqueue_task(build))
    return touched


# -- checking the stored file ------------------------------------------------------------

_verified = {}  # (name, size, mtime) -> sha256 of the file, per process
_verified_lock = threading.Lock()


class StoredFileDamaged(Exception):
    """The stored PDF is missing or differs from its record; the message says how."""


@functools.lru_cache(maxsize=256)
def _local_path(location, name):
    """The path of a stored file in a local storage at ``location`` (None without local files), made once."""
    try:
        return default_storage.path(name)
    except NotImplementedError:  # storage without local files (S3)
        return None


def _file_key(name):
    """What identifies the bytes of a stored file cheaply: its size and modification time."""
    path = _local_path(getattr(default_storage, "location", None), name)
    if path is None:
        return (name, default_storage.size(name), None), None
    stat = os.stat(path)
    return (name, stat.st_size, stat.st_mtime_ns), path


def _sha256(name, path):
    digest = hashlib.sha256()
    with open(path, "rb") if path else default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_stored(name, size, sha256):
    """Raise StoredFileDamaged unless the file ``name`` has ``size`` bytes and that SHA-256.

    The size is compared on every call (one ``stat``); the hash once per file and process.
    Returns the file's local path (None for a storage without local files), for the caller to open.
    """
    try:
        key, path = _file_key(name)
    except (FileNotFoundError, OSError) as exc:
        raise StoredFileDamaged(_("Het bestand ontbreekt (%(error)s).") % {"error": type(exc).__name__}) from None
    if key[1] != size:
        raise StoredFileDamaged(
            _("Het bestand is %(found)s bytes, opgeslagen als %(size)s bytes.") % {"found": key[1], "size": size}
        )
    digest = _verified.get(key)
    if digest is None:
        digest = _sha256(name, path)
        with _verified_lock:
            _verified[key] = digest
    if digest != sha256:
        raise StoredFileDamaged(_("De SHA-256 van het bestand klopt niet met die bij de publicatie."))
    return path


def report_damage(pdf_id, reason):
    """Mark a stored PDF damaged (once), log it, and queue its repair when it is the current version."""
    now = timezone.now()
    marked = PublishedPdf.objects.filter(pk=pdf_id, damaged_at__isnull=True).update(damaged_at=now, damage=reason[:300])
    pdf = PublishedPdf.objects.select_related("edition").get(pk=pdf_id)
    if marked:
        log.error(
            "event=pdf_damaged edition=%s version=%s reason=%s", pdf.edition.year, pdf.version, reason.replace(" ", "_")
        )
    if pdf.is_current and pdf.edition.is_published:
        transaction.on_commit(lambda: repair_published_pdf(pdf))
    return pdf


def check_published_files():
    """Verify the file of every current published PDF (cached per file); returns the damaged ones."""
    damaged = []
    for pdf in PublishedPdf.objects.filter(is_current=True, edition__state=Edition.State.PUBLISHED):
        try:
            verify_stored(pdf.file.name, pdf.size, pdf.sha256)
        except StoredFileDamaged as exc:
            damaged.append(report_damage(pdf.pk, str(exc)))
    return damaged


# -- background tasks (django-tasks; `manage.py db_worker` runs them) --------------------------


@task()
def build_pdf(build_id):
    """Build the PDF of one PdfBuild row; its status and error are on the row (admin: PDF-bouwen)."""
    build = PdfBuild.objects.filter(pk=build_id).first()
    if build is None or build.status not in (PdfBuild.Status.QUEUED, PdfBuild.Status.RUNNING):
        return None
    return run_build(build).status


@task()
def watch_build(build_id):
    """The watchdog of one build: heal stalled builds, and look again one lease later until it is finished."""
    recover_stalled_builds()
    build = PdfBuild.objects.filter(pk=build_id).first()
    if build is None or build.status in (PdfBuild.Status.DONE, PdfBuild.Status.FAILED):
        return build.status if build else None
    _watch_later(build)
    return build.status
