"""One structured log line per request, and one more for every permission denial.

``RequestLogMiddleware`` stands first in ``MIDDLEWARE``: it sees every request, also those
answered by the security redirect or by WhiteNoise, and measures the whole time spent in
Django. It gives each request an id (the proxy's ``X-Request-ID`` when it sends a
well-formed one, a new one otherwise), returns it in the ``X-Request-ID`` header and adds
it to every log line written meanwhile (see ``kib.ops.logs``).

The line holds the method, the path without its query string, the status, the duration
in milliseconds, the user's id (``-`` when anonymous) and the request id; nothing else.
A 403 answer (a ``PermissionDenied`` anywhere, a CSRF failure) adds a ``permission_denied``
line on the ``kib.security`` logger at WARNING.
"""

import logging
import re
import time
import uuid

from django.db import DatabaseError

from kib.ops.logs import log_event, request_id_var

request_logger = logging.getLogger("kib.request")
security_logger = logging.getLogger("kib.security")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
MAX_PATH = 300


def _request_id(request):
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex


def user_id(request):
    """The id of the logged-in user, or None; never fails the request (e.g. with the database down)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    try:
        return user.pk if user.is_authenticated else None
    except DatabaseError:
        return None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = _request_id(request)
        token = request_id_var.set(request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            response["X-Request-ID"] = request.request_id
            fields = {
                "method": request.method,
                "path": request.path[:MAX_PATH],
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id(request),
            }
            if response.status_code == 403:
                log_event(security_logger, "permission_denied", level=logging.WARNING, **fields)
            log_event(request_logger, "request", **fields)
            return response
        finally:
            request_id_var.reset(token)
