import functools

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


class Territory(models.TextChoices):
    NL = "NL", _("Europees Nederland")
    CN = "CN", _("Caribisch Nederland")
    BON = "BON", _("Bonaire")
    STA = "STA", _("Sint Eustatius")
    SAB = "SAB", _("Saba")


@functools.cache
def _labels(field):
    """``{value: label}`` of a field with fixed choices, made once per field (the labels stay lazy: translated when shown)."""
    return dict(make_hashable(field.flatchoices))


class ChoicesDisplay:
    """``get_FOO_display()`` without rebuilding the field's choices on every call.

    Django's version makes a dict of every choice each time, hashing each lazy label (a translation
    per choice): on a chapter page with its areas, or an indicator's table with a row per observation,
    that was a translation lookup per choice per part. The same value and label as Django's, for
    fields whose choices are fixed when the class is made (every ``TextChoices`` field here).
    """

    def _get_FIELD_display(self, field):  # noqa: N802 - the name Django's fields call
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
