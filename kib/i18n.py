"""Which language a request is answered in.

The public site is Dutch, with English for whoever asks for it (the language switch, or a
browser that prefers English). The editorial admin is Dutch only: its models, fields, help
texts and workflow messages are written in Dutch, so Django's own admin chrome follows
suit rather than mixing English buttons with Dutch labels.
"""

from django.middleware.locale import LocaleMiddleware
from django.utils import translation

ADMIN_LANGUAGE = "nl"


class KibLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/admin/"):
            translation.activate(ADMIN_LANGUAGE)
            request.LANGUAGE_CODE = ADMIN_LANGUAGE
            return
        super().process_request(request)
