"""The data files of a published edition, made once: the open-data zip and the CSV of its figures.

A published edition is frozen, so its files are too. They are built by the exporters of the
registry (``on_request_edition_exporters``) when the edition is published and again when a
correction of it closes (``build_edition_files``, a background task queued after the commit), and
stored with their size and SHA-256 like the PDF (``PublishedFile``). A download
(``file_response``) serves the stored bytes after checking them (``services.verify_stored``: the
size on every request, the hash once per file and process).

A missing or damaged file (or one never built: an edition published before this existed, or
whose task has not run yet) is made again at once from the edition, stored, logged and served:
the visitor waits for one build instead of getting an error. The edition in preparation never
gets a file: its exports are made on request for the admin only.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django_tasks import task

from indicators.models import Indicator
from kib.models import Edition
from kib.publication import services
from kib.publication.models import PublishedFile
from kib.publication.registry import EXPORTERS, on_request_edition_exporters

log = logging.getLogger(__name__)


def identifiers():
    return [cls.identifier for cls in on_request_edition_exporters()]


def render(edition, identifier):
    """The public file of a published edition: its published numbers, of published indicators."""
    return EXPORTERS[identifier](edition, indicators=Indicator.objects.published()).render()


def store(edition, identifier):
    """Build the file now and store it as the edition's ``identifier`` file (replacing an earlier one)."""
    if not edition.is_published:
        raise ValueError(f"{edition} is niet gepubliceerd: zijn bestanden worden niet opgeslagen.")
    export = render(edition, identifier)
    digest = hashlib.sha256(export.data).hexdigest()
    name = f"open-data/{edition.year}/{digest[:16]}/{export.filename}"  # named by its content
    if default_storage.exists(name):  # the same bytes once, or a damaged copy of them: write them again
        default_storage.delete(name)
    name = default_storage.save(name, ContentFile(export.data))
    try:
        with transaction.atomic():
            earlier = PublishedFile.objects.select_for_update().filter(edition=edition, identifier=identifier).first()
            stored, _created = PublishedFile.objects.update_or_create(
                edition=edition,
                identifier=identifier,
                defaults={
                    "file": name,
                    "sha256": digest,
                    "size": len(export.data),
                    "created_at": timezone.now(),
                    "damaged_at": None,
                    "damage": "",
                },
            )
    except IntegrityError:  # another request stored it at the same moment: theirs is as good
        stored = PublishedFile.objects.get(edition=edition, identifier=identifier)
        if stored.file.name != name:
            default_storage.delete(name)
        return stored
    except Exception:
        default_storage.delete(name)
        raise
    if earlier is not None and earlier.file.name != name:
        old = earlier.file.name
        transaction.on_commit(lambda: default_storage.delete(old))
    return stored


def store_all(edition):
    """Build and store every data file of a published edition; returns the PublishedFile rows."""
    return [store(edition, identifier) for identifier in identifiers()]


@task()
def build_edition_files(edition_id):
    """Background task: the data files of a published edition (queued at publication and after a correction)."""
    edition = Edition.objects.published().filter(pk=edition_id).first()
    if edition is None:
        return 0
    return len(store_all(edition))


def queue_edition_files(edition):
    """Queue ``build_edition_files`` once the publication (or correction) has committed."""
    transaction.on_commit(lambda: build_edition_files.enqueue(edition.pk))


def _check(stored):
    """None when the stored file is intact, else why not."""
    try:
        services.verify_stored(stored.file.name, stored.size, stored.sha256)
    except services.StoredFileDamaged as exc:
        return str(exc)
    return None


def _report(stored, reason):
    log.error(
        "event=data_file_damaged edition=%s export=%s reason=%s",
        stored.edition.year,
        stored.identifier,
        reason.replace(" ", "_"),
    )
    PublishedFile.objects.filter(pk=stored.pk, damaged_at__isnull=True).update(
        damaged_at=timezone.now(), damage=reason[:300]
    )


def intact_file(edition, identifier):
    """The stored, checked file of ``edition`` (published), made again first when missing or damaged."""
    stored = PublishedFile.objects.filter(edition=edition, identifier=identifier).first()
    if stored is not None:
        stored.edition = edition
        reason = _check(stored)
        if reason is None:
            return stored
        _report(stored, reason)
    else:
        log.warning("event=data_file_missing edition=%s export=%s", edition.year, identifier)
    stored = store(edition, identifier)
    log.warning("event=data_file_built edition=%s export=%s bytes=%s", edition.year, identifier, stored.size)
    return stored


class DataFileResponse(FileResponse):
    """The stored file, streamed from storage in large blocks (a WSGI server sends it with its file wrapper)."""

    block_size = 1 << 16


def file_response(request, edition, identifier):
    """The download of a published edition's data file, streamed from storage; 304 when the client has it.

    The check costs one ``stat`` per request (the SHA-256 is computed once per file and process,
    ``services.verify_stored``), so the bytes are read once, by the response.
    """
    stored = intact_file(edition, identifier)
    etag = quote_etag(stored.sha256)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    try:
        handle = default_storage.open(stored.file.name, "rb")
    except FileNotFoundError:  # gone between the check and now (a correction replaced it): make it again
        stored = store(edition, identifier)
        etag = quote_etag(stored.sha256)
        handle = default_storage.open(stored.file.name, "rb")
    response = DataFileResponse(
        handle, as_attachment=True, filename=stored.filename, content_type=EXPORTERS[identifier].content_type
    )
    response["Content-Length"] = str(stored.size)
    response["ETag"] = etag
    return response


def check_published_data_files():
    """Verify the data file of every published edition (cached per file); returns the damaged or missing ones."""
    damaged = []
    for stored in PublishedFile.objects.filter(edition__in=Edition.objects.published()).select_related("edition"):
        reason = _check(stored)
        if reason is not None:
            _report(stored, reason)
            stored.damage = reason
            damaged.append(stored)
    return damaged
