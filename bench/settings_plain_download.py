"""The production settings without PdfDownloadMiddleware: the PDF goes through the whole stack to its view.

Only for ``bench/bench_public.py``, which measures the download both ways.
"""

from kib.settings import *  # noqa: F403
from kib.settings import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "kib.publication.middleware.PdfDownloadMiddleware"]
