"""The workflow hands a published edition (or a closed correction) to the PDF build and the data files.

``without_pdf()`` publishes without queuing the build: ``load_demo --no-pdf`` (the tests'
demo, benchmarks that build the PDF themselves). Every other receiver of the publication
(charts pinned, numbers made public) still runs.
"""

import contextvars
from contextlib import contextmanager

from kib.publication.datafiles import queue_edition_files
from kib.publication.services import build_published_pdf

_without_pdf = contextvars.ContextVar("kib_without_pdf", default=False)


@contextmanager
def without_pdf():
    token = _without_pdf.set(True)
    try:
        yield
    finally:
        _without_pdf.reset(token)


def _person(by):
    """The user to name on the build: nobody for a publication without an account (the demo's)."""
    return by if by is not None and by.is_authenticated else None


def on_edition_published(sender, edition, by=None, **kwargs):
    queue_edition_files(edition)  # the open data and CSV: quick, so also without the PDF
    if not _without_pdf.get():
        build_published_pdf(edition, requested_by=_person(by))


def on_correction_closed(sender, edition, by=None, **kwargs):
    queue_edition_files(edition)
    if not _without_pdf.get():
        build_published_pdf(edition, requested_by=_person(by))
