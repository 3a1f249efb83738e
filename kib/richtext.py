"""The one rich-text format of KIB: a small HTML subset, sanitised with nh3 on save.

Allowed: paragraphs, line breaks, bold/italic, lists, links (http, https, mailto),
superscript/subscript. Everything else is stripped, including scripts, styles,
images and event handlers, so the PDF renderer and the public site never see them.
"""

import nh3
from django.db import models

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value):
    """Return ``value`` reduced to the allowed HTML subset."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


class RichTextField(models.TextField):
    """A TextField whose content is sanitised every time the model is saved."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def clean(self, value, model_instance):
        return super().clean(sanitize_html(value), model_instance)
