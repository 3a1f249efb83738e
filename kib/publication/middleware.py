"""The stored PDF downloaded as lean as a static file.

A download is the same file for every visitor: it needs no session, no user, no language and no
CSRF token, yet through the whole ``MIDDLEWARE`` stack it paid for all of them on every request.
``PdfDownloadMiddleware`` stands right after ``SecurityMiddleware`` and WhiteNoise (which serves
the static files the same way) and answers GET and HEAD requests for the download URLs itself,
with the views' own published-only lookup and response (``kib.publication.views``): the same
Content-Type, Content-Disposition, ETag, Last-Modified and 304 answers.

What still applies: the request log line and its X-Request-ID (``RequestLogMiddleware``, first in
the stack), the HTTPS redirect and security headers (``SecurityMiddleware``, before this one), the
host check (as ``CommonMiddleware`` does it), and X-Frame-Options and the content security policy,
added here as their middleware would. A stored file that fails its check gets the 503 page here.
Anything else, and a download URL without a published PDF (the site's 404 page), goes down the
stack as before.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import Resolver404, resolve

from kib.publication import views

DOWNLOAD_VIEWS = {views.edition_pdf, views.edition_pdf_version}
PATH_MARK = "/pdf/"  # every download URL holds it (kib/publication/urls.py); other paths skip the resolver


@lru_cache(maxsize=256)
def download_arguments(path_info):
    """``(year, version)`` when the URLconf sends ``path_info`` to a download view, else None; kept per path."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    if match.func not in DOWNLOAD_VIEWS:
        return None
    return match.kwargs["year"], match.kwargs.get("version")


def _forget_paths(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        download_arguments.cache_clear()


setting_changed.connect(_forget_paths, dispatch_uid="kib-pdf-download-paths")


def file_headers():
    """The headers the skipped middleware would add to a file response, when installed: built once.

    X-Frame-Options as ``XFrameOptionsMiddleware`` sets it, the content security policy as
    ``CSPMiddleware`` builds it from the settings (a file response has no nonce to add).
    """
    headers = {}
    if "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE:
        headers["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
    if "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE:
        from csp.constants import HEADER, HEADER_REPORT_ONLY
        from csp.utils import build_policy

        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            policy = build_policy(report_only=report_only)
            if policy:
                headers[header] = policy
    return headers


class PdfDownloadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = file_headers()
        self.header_pairs = tuple(self.headers.items())  # given to the file response when it is made

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and PATH_MARK in request.path_info:
            response = self.download(request)
            if response is not None:
                return response
        return self.get_response(request)

    def download(self, request):
        arguments = download_arguments(request.path_info)
        if arguments is None:
            return None
        request.get_host()  # a Host outside ALLOWED_HOSTS fails here, as in CommonMiddleware
        stored = views.stored_pdf(*arguments)
        if stored is None:
            return None
        try:
            response = views.pdf_response(request, stored, self.header_pairs)
        except views.PdfDamaged:  # reported once, its repair queued: the 503 page, in the default language
            response = views.unavailable(request, stored).render()
        if response.status_code != 200:  # a 304 or the 503 page: made without them
            for header, value in self.headers.items():
                response.headers.setdefault(header, value)
        return response
