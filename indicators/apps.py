from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Kengetallen en data")

    def ready(self):
        # Uploaded .xlsx files are XML: openpyxl must parse them through defusedxml
        # (no entity expansion, no external entities). It does when defusedxml is installed
        # and OPENPYXL_DEFUSEDXML is not switched off; refuse to start otherwise.
        import openpyxl

        from indicators.services import on_chapter_copied, on_correction_closed, on_edition_published
        from kib.workflow.signals import chapter_copied, correction_closed, edition_published

        # A published report keeps the periods its figures showed, and its figures become public;
        # next year's copy shows every period again.
        edition_published.connect(on_edition_published, dispatch_uid="indicators-pin-chart-periods")
        chapter_copied.connect(on_chapter_copied, dispatch_uid="indicators-carry-forward")
        # Figures become public with the report that shows them (and with a closed correction of it).
        correction_closed.connect(on_correction_closed, dispatch_uid="indicators-publish-observations")

        if not openpyxl.DEFUSEDXML:
            raise ImproperlyConfigured(
                "openpyxl does not use defusedxml: install defusedxml and leave OPENPYXL_DEFUSEDXML unset."
            )
