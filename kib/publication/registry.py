"""Every exporter of KIB, by identifier: the one list the admin, the public site and ``manage.py`` read.

An edition exporter is made with ``EXPORTERS[identifier](edition, ...)``; ``on_request`` says
whether it is quick enough to make while someone waits (the PDF is built by the worker and
downloaded from storage). The one-indicator CSV is made from an indicator instead.
"""

from indicators.exporters import IndicatorCsvExporter, ObservationsCsvExporter, OpenDataZipExporter
from kib.publication.exporter import EditionPdfExporter

EDITION_EXPORTERS = [EditionPdfExporter, OpenDataZipExporter, ObservationsCsvExporter]
EXPORTERS = {cls.identifier: cls for cls in [*EDITION_EXPORTERS, IndicatorCsvExporter]}


def on_request_edition_exporters():
    """The edition exports made while the visitor waits: the open data and the CSV."""
    return [cls for cls in EDITION_EXPORTERS if cls.on_request]
