"""The production settings with the public page cache off, so every page is built on every request.

For ``bench/bench_growth.py`` (in process) and ``bench/bench_growth_http.py`` (its gunicorn), which time pages uncached.
"""

from kib.settings import *  # noqa: F403
from kib.settings import CACHES

CACHES = {**CACHES, "public": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
