"""The one contract every download of KIB follows (after pretix ``base/exporter.py``).

An exporter is built for what it exports (an edition, one indicator) and turns it into a file::

    exporter = OpenDataZipExporter(edition)
    file = exporter.render()        # ExportFile(filename, content_type, data)
    exporter.response()             # the same file as an attachment download

``identifier`` names the exporter in URLs and on the command line, ``label`` is what the
admin and the site show. The exporters themselves live beside what they export: the edition
PDF in ``kib.publication.exporter``, the open data and CSVs in ``indicators.exporters``; the
registry that the admin, the public site and ``manage.py`` read is ``kib.publication.registry``.
"""

from typing import NamedTuple

from django.http import HttpResponse


class ExportFile(NamedTuple):
    filename: str
    content_type: str
    data: bytes


class Exporter:
    identifier = ""
    label = ""
    content_type = ""
    extension = ""
    # False for an export too slow to make while a visitor waits (the PDF is built by the worker).
    on_request = True

    @property
    def filename(self):
        raise NotImplementedError

    def render(self):
        """The file: ``ExportFile(filename, content_type, data)``."""
        raise NotImplementedError

    def file(self, data):
        return ExportFile(self.filename, self.content_type, data)

    def response(self):
        """The file as a download (the admin and the public site)."""
        file = self.render()
        response = HttpResponse(file.data, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response
