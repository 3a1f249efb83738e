"""A URL configuration with the public site below /elders/: what ``tests/test_reversing.py`` reverses against."""

from django.urls import include, path

from kib.urls import public_patterns

urlpatterns = [path("elders/", include((public_patterns, "public")))]
