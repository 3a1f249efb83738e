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

One indicator's CSV (``/cijfers/<code>.csv``) is made the same way by the same task, for every
indicator the edition draws (``store_indicator_files``), and served the same way
(``indicator_response``), as long as the live series still has the fingerprint the file was made
from (``Indicator.series_fingerprint``: raised by each publication that draws it, and changed by
rows added or removed otherwise, as an archive restore does). A missing, stale or damaged file is
never served: the download streams from the database as before, and the streamed bytes are stored
as the new file once the last row is sent and the series has not changed meanwhile.
"""

import hashlib
import logging
import tempfile

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django_tasks import task

from indicators.models import Indicator, IndicatorFile
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
    """Background task: the data files of a published edition and the CSVs of the indicators it draws
    (queued at publication and after a correction)."""
    edition = Edition.objects.published().filter(pk=edition_id).first()
    if edition is None:
        return 0
    return len(store_all(edition)) + len(store_indicator_files(edition))


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


# -- one indicator's CSV ----------------------------------------------------------------------


class _Spool:
    """The bytes of a file as they are made: hashed, and kept in a temporary file (in memory while small)."""

    def __init__(self):
        self.handle = tempfile.SpooledTemporaryFile(max_size=1 << 20)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk):
        self.handle.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)

    def close(self):
        self.handle.close()


def _live(indicator_id):
    """The published indicator with its series' fingerprint as it is now, or None."""
    return Indicator.objects.published().with_series().filter(pk=indicator_id).first()


def _keep(indicator, fingerprint, filename, spool, level=logging.INFO):
    """Store the spooled CSV as ``indicator``'s file, if its series still has ``fingerprint``; the IndicatorFile or None.

    ``level``: of the ``indicator_file_built`` line (a publication's batch logs one summary instead).

    Read again after the rows: unchanged, no publication or restore came between (the version only
    goes up, a new row gets a higher id), so the rows were those of the fingerprint.
    """
    live = _live(indicator.pk)
    if live is None or live.series_fingerprint != fingerprint:
        log.info("event=indicator_file_skipped code=%s reason=series_changed", indicator.code)
        return None
    digest = spool.digest.hexdigest()
    earlier = IndicatorFile.objects.filter(indicator_id=indicator.pk).first()
    if earlier is not None and (earlier.sha256, earlier.size) == (digest, spool.size) and _check(earlier) is None:
        IndicatorFile.objects.filter(pk=earlier.pk).update(fingerprint=fingerprint)  # the same bytes: keep the file
        earlier.fingerprint = fingerprint
        return earlier
    name = f"cijfers/{digest[:16]}/{filename}"  # named by its content
    if default_storage.exists(name):  # the same bytes once, or a damaged copy of them: write them again
        default_storage.delete(name)
    spool.handle.seek(0)
    name = default_storage.save(name, File(spool.handle))
    fields = {"fingerprint": fingerprint, "file": name, "sha256": digest, "size": spool.size}
    try:
        with transaction.atomic():
            stored, _created = IndicatorFile.objects.update_or_create(
                indicator_id=indicator.pk, defaults={**fields, "created_at": timezone.now()}
            )
    except IntegrityError:  # another request stored it at the same moment: theirs is as good
        theirs = IndicatorFile.objects.filter(indicator_id=indicator.pk).first()
        if theirs is None or theirs.file.name != name:
            default_storage.delete(name)
        return theirs
    except Exception:
        default_storage.delete(name)
        raise
    if earlier is not None and earlier.file.name != name:
        old = earlier.file.name
        transaction.on_commit(lambda: default_storage.delete(old))
    log.log(level, "event=indicator_file_built code=%s bytes=%s", indicator.code, stored.size)
    return stored


def store_indicator(indicator, level=logging.INFO):
    """Build the CSV of a published ``indicator`` now and store it; the IndicatorFile (None: it changed meanwhile)."""
    live = _live(indicator.pk)
    if live is None:
        raise ValueError(f"{indicator} is niet gepubliceerd: zijn cijfers worden niet opgeslagen.")
    exporter = EXPORTERS["indicator"](live)
    spool = _Spool()
    try:
        for chunk in exporter.chunks():
            spool.write(chunk)
        return _keep(live, live.series_fingerprint, exporter.filename, spool, level)
    finally:
        spool.close()


def store_indicator_files(edition=None):
    """Store the CSV of every published indicator (that ``edition`` draws) whose stored file is missing or stale."""
    indicators = Indicator.objects.published().with_series().order_by("pk")
    if edition is not None:
        drawn = Q(figure_series__chart__figure__chapter__edition=edition) | Q(headline_series__chapter__edition=edition)
        indicators = indicators.filter(pk__in=Indicator.objects.filter(drawn).values("pk"))
    made = []
    for indicator in indicators:
        stored = _stored_file(indicator)
        if stored is None or stored.fingerprint != indicator.series_fingerprint:
            made.append(store_indicator(indicator, logging.DEBUG))  # one line per file would flood the log
    made = [stored for stored in made if stored is not None]
    if made:
        log.info(
            "event=indicator_files_built edition=%s files=%s bytes=%s",
            edition.year if edition is not None else "-",
            len(made),
            sum(stored.size for stored in made),
        )
    return made


def _stored_file(indicator):
    try:
        return indicator.csv_file
    except IndicatorFile.DoesNotExist:
        return None


def _intact_indicator_file(indicator):
    """The stored CSV of ``indicator`` (from ``with_series()``) when it is of the live series and intact, else None."""
    stored = _stored_file(indicator)
    if stored is None:
        log.info("event=indicator_file_missing code=%s", indicator.code)
        return None
    if stored.fingerprint != indicator.series_fingerprint:
        log.info("event=indicator_file_stale code=%s", indicator.code)
        return None
    reason = _check(stored)
    if reason is not None:
        log.error("event=indicator_file_damaged code=%s reason=%s", indicator.code, reason.replace(" ", "_"))
        return None
    return stored


def _kept(indicator, fingerprint, filename, chunks):
    """The chunks of a streamed download, passed on as they come and stored as the file once the last one is sent."""
    spool = _Spool()
    try:
        for chunk in chunks:
            spool.write(chunk)
            yield chunk
        try:
            _keep(indicator, fingerprint, filename, spool)
        except Exception:  # the visitor has every byte; the next download tries again
            log.exception("event=indicator_file_not_stored code=%s", indicator.code)
    finally:
        spool.close()


def indicator_response(request, indicator):
    """The download of a published indicator's CSV (``indicator`` from ``with_series()``); 304 when the client has it.

    The stored file when it is of the live series and intact (one query with the indicator, one
    ``stat``); else streamed from the database as the exporter makes it, and stored on the way.
    """
    exporter = EXPORTERS["indicator"](indicator)
    stored = _intact_indicator_file(indicator)
    if stored is not None:
        etag = quote_etag(stored.sha256)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        try:
            handle = default_storage.open(stored.file.name, "rb")
        except FileNotFoundError:  # gone between the check and now (a new file replaced it): stream it
            pass
        else:
            response = DataFileResponse(
                handle, as_attachment=True, filename=exporter.filename, content_type=exporter.content_type
            )
            response["Content-Length"] = str(stored.size)
            response["ETag"] = etag
            return response
    response = exporter.response()
    response.streaming_content = _kept(
        indicator, indicator.series_fingerprint, exporter.filename, response.streaming_content
    )
    return response
