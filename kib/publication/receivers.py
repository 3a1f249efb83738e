"""The workflow hands a published edition (or a closed correction) to the PDF build."""

from kib.publication.services import build_published_pdf


def on_edition_published(sender, edition, by=None, **kwargs):
    build_published_pdf(edition, requested_by=by)


def on_correction_closed(sender, edition, by=None, **kwargs):
    build_published_pdf(edition, requested_by=by)
