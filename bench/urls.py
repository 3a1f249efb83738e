"""URLs for the serving benchmark: the site's own, plus a plain static file view to compare with."""

import os

from django.urls import path
from django.views.static import serve

from kib.urls import urlpatterns as site_patterns

urlpatterns = [
    *site_patterns,
    path("bench-static/<path:path>", serve, {"document_root": os.environ.get("KIB_BENCH_STATIC", "/nonexistent")}),
]
