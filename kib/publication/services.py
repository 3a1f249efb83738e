"""Building and publishing the PDF: the only code that creates PdfBuild and PublishedPdf rows.

- ``build_published_pdf(edition, requested_by=None)`` queues a build of the published PDF
  (the workflow's ``edition_published`` and ``correction_closed`` signals call it);
- ``build_published_pdf_now(edition)`` builds it at once (``load_demo``, ``manage.py``);
- ``request_preview(edition, chapter=None, user=None)`` queues a draft preview, or returns
  the finished preview of identical content;
- ``run_build(build)`` does the work for the background task.

A build writes to a temporary file first; only a finished PDF is stored and switched to
``is_current`` in one transaction, so a failed or timed-out build leaves the previous
version (and the edition) as they were.
"""

import logging
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

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
    from kib.publication.tasks import build_pdf

    build_pdf.enqueue(build.pk)
    return build


def build_published_pdf(edition, requested_by=None):
    """Queue a build of the edition's published PDF; returns the PdfBuild (status in the admin)."""
    build = PdfBuild.objects.create(edition=edition, kind=PdfBuild.Kind.PUBLISHED, requested_by=requested_by)
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


def run_build(build):
    """Build one PdfBuild: render, write to a temporary file, then store it. Never raises for a bad build."""
    PdfBuild.objects.filter(pk=build.pk).update(status=PdfBuild.Status.RUNNING, started_at=timezone.now())
    build.refresh_from_db()
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
        if build.kind == PdfBuild.Kind.PUBLISHED:
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
        build.error = f"{type(exc).__name__}: {exc}"[:4000]
    finally:
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
