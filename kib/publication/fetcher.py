"""The only way WeasyPrint may reach a resource while building a KIB PDF.

Allowed: ``data:`` URLs, and ``file:`` URLs that resolve (symlinks followed) to a file
inside the project's static directories or MEDIA_ROOT. Refused: every other file,
http(s) and any other scheme, so report content can never make the builder read local
files or call out to a server (redirects cannot happen: nothing is fetched over a network).
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

# WeasyPrint logs every stylesheet it parses at INFO; keep builds and commands quiet.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402


class RefusedURL(ValueError):
    """A URL the report builder will not fetch."""


def default_roots():
    """The directories whose files a build may read: static files and uploaded media."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    roots = [Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    return roots


class SafeURLFetcher(URLFetcher):
    """A ``weasyprint.urls.URLFetcher`` that serves only allowed local files and data: URLs."""

    def __init__(self, roots=None, **kwargs):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1, **kwargs)
        self.roots = [Path(root).resolve() for root in (default_roots() if roots is None else roots)]
        self.refused = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.allowed_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        self.refused.append(url)
        raise RefusedURL(f"Niet toegestaan in de pdf: {url[:200]}")

    def allowed_path(self, url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not path.is_file():
            return None
        if any(path.is_relative_to(root) for root in self.roots):
            return path
        return None
