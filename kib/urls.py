from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from indicators import views as indicator_views
from kib import views
from kib.ops import health
from recommendations import views as recommendation_views
from themes import preview
from themes import views as theme_views

public_patterns = [
    path("", views.home, name="home"),
    path("editie/<int:year>/", views.edition_detail, name="edition"),
    path("", include("kib.publication.urls")),  # the stored PDF; before the chapter pattern
    path("editie/<int:year>/open-data.zip", indicator_views.edition_open_data, name="edition_open_data"),
    path("editie/<int:year>/cijfers.csv", indicator_views.edition_observations_csv, name="edition_observations_csv"),
    path("editie/<int:year>/<slug:theme_slug>/", theme_views.chapter_detail, name="chapter"),
    path("zoeken/", theme_views.search, name="search"),
    path("aanbevelingen/", recommendation_views.tracker, name="recommendations"),
    path("aanbevelingen/<int:co>/<str:code>/", recommendation_views.recommendation_detail, name="recommendation"),
    path("cijfers/", indicator_views.indicator_list, name="indicators"),
    path("cijfers/<slug:code>/", indicator_views.indicator_detail, name="indicator"),
    path("cijfers/<slug:code>.csv", indicator_views.indicator_csv, name="indicator_csv"),
    path("taal/<str:code>/", views.switch_language, name="switch_language"),
    path("ping", views.ping, name="ping"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # production: database and PDF queue
    path("admin/hoofdstukken/<int:pk>/voorbeeld/", preview.chapter_preview, name="chapter_preview"),
    path("admin/hoofdstukken/<int:pk>/voorbeeld-pdf/", preview.chapter_pdf_preview, name="chapter_pdf_preview"),
    path(
        "admin/hoofdstukken/<int:pk>/voorbeeld-pdf/<int:build_pk>/",
        preview.chapter_pdf_preview_status,
        name="chapter_pdf_preview_status",
    ),
    path("admin/", admin.site.urls),
    path("", include((public_patterns, "public"))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
