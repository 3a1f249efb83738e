"""The public download of the stored PDF: a plain file response, never a render.

Which file is current is looked up once per content version (``kib.public_cache``: any saved
change to an edition or a PDF starts a new version), so a download costs no query while
nothing changes; the bytes come straight from storage.
"""

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from kib import public_cache
from kib.models import Edition
from kib.publication.models import PublishedPdf


@dataclass(frozen=True)
class StoredPdf:
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
    return StoredPdf(pdf.file.name, pdf.filename, pdf.sha256, pdf.size, int(pdf.created_at.timestamp()))


def pdf_response(request, stored):
    """The stored file with ETag (its SHA-256) and Last-Modified; 304 when the client has it."""
    etag = quote_etag(stored.sha256)
    not_modified = get_conditional_response(request, etag=etag, last_modified=stored.modified)
    if not_modified is not None:
        return not_modified
    try:
        handle = default_storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404("Het pdf-bestand ontbreekt.") from None
    response = FileResponse(handle, as_attachment=True, filename=stored.filename, content_type="application/pdf")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stored.modified)
    response["Content-Length"] = str(stored.size)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _serve(request, year, version=None):
    stored = public_cache.cached(("publication:pdf", year, version), lambda: _lookup(year, version))
    if stored is None:
        raise Http404("Deze pdf bestaat niet (of nog niet).")
    return pdf_response(request, stored)


def edition_pdf(request, year):
    """The current PDF of a published edition."""
    return _serve(request, year)


def edition_pdf_version(request, year, version):
    """Any version, also an earlier one, kept for the record."""
    return _serve(request, year, version)
