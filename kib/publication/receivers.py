"""The workflow hands a published edition (or a closed correction) to the PDF build."""

from kib.publication.services import build_published_pdf


def _person(by):
    """The user to name on the build: nobody for a publication without an account (the demo's)."""
    return by if by is not None and by.is_authenticated else None


def on_edition_published(sender, edition, by=None, **kwargs):
    build_published_pdf(edition, requested_by=_person(by))


def on_correction_closed(sender, edition, by=None, **kwargs):
    build_published_pdf(edition, requested_by=_person(by))
