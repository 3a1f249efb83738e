"""A test-only app for the worker of tests/worker_settings.py: an optional pause before each render."""

import os
import time

from django.apps import AppConfig


class SlowBuildConfig(AppConfig):
    name = "tests"
    label = "kib_test_worker"

    def ready(self):
        pause = float(os.environ.get("KIB_WORKER_SLOW_BUILD") or 0)
        if not pause:
            return
        from kib.publication.exporter import EditionPdfExporter

        write_pdf = EditionPdfExporter.write_pdf

        def slow_write_pdf(self, *args, **kwargs):
            time.sleep(pause)
            return write_pdf(self, *args, **kwargs)

        EditionPdfExporter.write_pdf = slow_write_pdf
