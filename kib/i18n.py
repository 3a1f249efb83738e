"""Which language a request is answered in.

The public site is Dutch, with English for whoever asks for it (the language switch, or a
browser that prefers English). The editorial admin is Dutch only: its models, fields, help
texts and workflow messages are written in Dutch, so Django's own admin chrome follows
suit rather than mixing English buttons with Dutch labels.
"""

from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

ADMIN_LANGUAGE = "nl"

# Model names that take "het" (Django's Dutch messages always say "de").
HET_WORDS = {"hoofdstuk", "thema", "lidmaatschap"}


class KibLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/admin/"):
            translation.activate(ADMIN_LANGUAGE)
            request.LANGUAGE_CODE = ADMIN_LANGUAGE
            return
        super().process_request(request)


def with_article(message, model):
    """``message`` with "Het" instead of "De" before the name of ``model`` when that name is a het-word.

    Django builds "De {name} ‘{obj}’ is gewijzigd." (locale/nl) without knowing the gender of the
    name; "De hoofdstuk" becomes "Het hoofdstuk". Other messages are returned unchanged.
    """
    name = str(model._meta.verbose_name)
    text = str(message)
    if name not in HET_WORDS or not text.startswith(f"De {name} "):
        return message
    fixed = "Het" + text[2:]
    return mark_safe(fixed) if isinstance(message, SafeData) else fixed
