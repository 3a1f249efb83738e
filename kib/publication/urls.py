"""Public download of the published PDF (included in the "public" namespace by kib/urls.py)."""

from django.urls import path

from kib.publication import views

urlpatterns = [
    path("editie/<int:year>/pdf/", views.edition_pdf, name="edition_pdf"),
    path("editie/<int:year>/pdf/v<int:version>/", views.edition_pdf_version, name="edition_pdf_version"),
]
