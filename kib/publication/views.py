"""The public download of the stored PDF: a plain file response, never a render.

Which file is current is looked up once per content version (``kib.public_cache``: any saved
change to an edition or a PDF starts a new version), so a download costs no query while
nothing changes; the bytes come straight from storage. ``kib.publication.middleware`` answers
these URLs before sessions, authentication and the rest of the stack run; the views below
answer when it is not installed, the 404 of a PDF that does not exist, and the 503 of a stored
file that fails its check (size and SHA-256 against the record, ``services.verify_stored``).
"""

from dataclasses import dataclass
from functools import lru_cache

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, quote_etag

from kib import public_cache
from kib.models import Edition
from kib.publication import services
from kib.publication.models import PublishedPdf


@dataclass(frozen=True)
class StoredPdf:
    pk: int
    name: str
    filename: str
    sha256: str
    size: int
    modified: int


def _lookup(year, version):
    pdfs = PublishedPdf.objects.filter(edition__in=Edition.objects.published(), edition__year=year)
    pdf = pdfs.filter(is_current=True).first() if version is None else pdfs.filter(version=version).first()
    if pdf is None:
        return None
    return StoredPdf(pdf.pk, pdf.file.name, pdf.filename, pdf.sha256, pdf.size, int(pdf.created_at.timestamp()))


class StoredFileResponse(FileResponse):
    """A FileResponse that takes its headers from the stored PDF's record instead of probing the file each time."""

    def set_headers(self, filelike):
        """Nothing to probe: ``pdf_response`` passes every header, made once per stored PDF (``_headers``)."""


@lru_cache(maxsize=64)
def _headers(stored, extra=()):
    """The response headers of one stored PDF (and ``extra`` ones, as pairs), made once per process."""
    return {
        "Content-Type": "application/pdf",
        "Content-Length": str(stored.size),
        "Content-Disposition": content_disposition_header(True, stored.filename),
        "ETag": quote_etag(stored.sha256),
        "Last-Modified": http_date(stored.modified),
        "Cache-Control": "public, max-age=3600",
        **dict(extra),
    }


def _open(name, path):
    if path is None:  # storage without local files (S3): its own file object
        return default_storage.open(name, "rb")
    return open(path, "rb")  # noqa: SIM115 - closed by the response


class PdfDamaged(Exception):
    """The stored file failed its check; it has been reported (and its repair queued)."""


# The request headers ``get_conditional_response`` reads: without any of them it answers None.
CONDITIONS = frozenset(("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"))


def pdf_response(request, stored, extra_headers=()):
    """The stored file with ETag (its SHA-256) and Last-Modified; 304 when the client has it.

    ``extra_headers``: pairs the file response gets too (``kib.publication.middleware``: those of the
    middleware it skips). Raises PdfDamaged when the file is missing or differs from its record.
    """
    headers = _headers(stored, extra_headers)
    if not CONDITIONS.isdisjoint(request.META):  # a client that has it, or asks on a condition
        not_modified = get_conditional_response(request, etag=headers["ETag"], last_modified=stored.modified)
        if not_modified is not None:
            return not_modified
    try:
        handle = _open(stored.name, services.verify_stored(stored.name, stored.size, stored.sha256))
    except (services.StoredFileDamaged, FileNotFoundError) as exc:
        services.report_damage(stored.pk, str(exc) or type(exc).__name__)
        raise PdfDamaged(str(exc)) from None
    return StoredFileResponse(handle, headers=headers)


def unavailable(request, stored):
    """The 503 page of a damaged or missing file: it is being made again; try later."""
    response = TemplateResponse(request, "publication/pdf_unavailable.html", {"filename": stored.filename}, status=503)
    response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    return response


def stored_pdf(year, version=None):
    """The stored PDF of a published edition (its current one, or ``version``), or None; cached per content version.

    Kept in this process's memory too (``public_cache.kept``): a download then costs no cache read
    besides the version's (the page cache unpickles what it holds; bench/bench_public.py
    --download-only --in-process).
    """
    return public_cache.kept(("publication:pdf", year, version), lambda: _lookup(year, version))


def _serve(request, year, version=None):
    stored = stored_pdf(year, version)
    if stored is None:
        raise Http404("Deze pdf bestaat niet (of nog niet).")
    try:
        return pdf_response(request, stored)
    except PdfDamaged:
        return unavailable(request, stored)


def edition_pdf(request, year):
    """The current PDF of a published edition."""
    return _serve(request, year)


def edition_pdf_version(request, year, version):
    """Any version, also an earlier one, kept for the record."""
    return _serve(request, year, version)
