"""Public downloads of an edition's figures (wired into the public URLs by the public site).

    path("editie/<int:year>/open-data.zip", views_opendata.opendata_zip, name="opendata-zip")
    path("editie/<int:year>/cijfers.csv", views_opendata.opendata_csv, name="opendata-csv")

Only published editions are reachable (``Edition.objects.published()``).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from indicators.exporters import ObservationsCsvExporter, OpenDataZipExporter
from kib.models import Edition


def exporter_response(exporter):
    response = HttpResponse(exporter.render(), content_type=exporter.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exporter.filename}"'
    return response


@require_safe
def opendata_zip(request, year):
    edition = get_object_or_404(Edition.objects.published(), year=year)
    return exporter_response(OpenDataZipExporter(edition))


@require_safe
def opendata_csv(request, year):
    edition = get_object_or_404(Edition.objects.published(), year=year)
    return exporter_response(ObservationsCsvExporter(edition))
