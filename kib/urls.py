from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kib import views

public_patterns = [
    path("", views.home, name="home"),
    path("editie/<int:year>/", views.edition_detail, name="edition"),
    path("editie/<int:year>/<slug:theme_slug>/", views.chapter_detail, name="chapter"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include((public_patterns, "public"))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
