from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "kib.publication"
    label = "publication"
    verbose_name = _("Publicatie")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kib.publication import receivers
        from kib.workflow.signals import correction_closed, edition_published

        edition_published.connect(receivers.on_edition_published, dispatch_uid="publication.edition_published")
        correction_closed.connect(receivers.on_correction_closed, dispatch_uid="publication.correction_closed")
