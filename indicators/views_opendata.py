"""The HTTP response for the open-data exporters (used by the public views in ``indicators.views``)."""

from django.http import HttpResponse


def exporter_response(exporter):
    response = HttpResponse(exporter.render(), content_type=exporter.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exporter.filename}"'
    return response
