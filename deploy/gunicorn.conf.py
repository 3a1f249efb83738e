"""Gunicorn settings for KIB: ``gunicorn -c deploy/gunicorn.conf.py`` from the project directory.

Listens on loopback behind a reverse proxy that ends TLS and sets ``X-Forwarded-Proto``.
Each setting can be changed from the environment (``/etc/kib/kib.env``, see kib.env.example).
"""

import multiprocessing
import os

wsgi_app = "kib.wsgi:application"
bind = os.environ.get("KIB_BIND", "127.0.0.1:8000")
# Sync workers: the work is short database reads; PDFs are built by the worker, not here.
workers = int(os.environ.get("KIB_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 5)))
worker_class = "sync"
timeout = int(os.environ.get("KIB_WEB_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Replace a worker now and then, so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# The proxy on this machine may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("KIB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# KIB itself logs one line per request without query strings (kib.ops.middleware); gunicorn's
# access log would repeat it with them, so it stays off. Errors go to stderr (the journal).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("KIB_GUNICORN_LOG_LEVEL", "info")
capture_output = True
