"""The sections of a chapter's admin page, in the printed order.

An editor works on one section at a time: the chapter's admin page shows one section
(``?sectie=<key>``) with its own fields and part inlines, a navigator to the others and a
bar with the chapter's state. The preview panel, the review comments and the
history compare read the same declaration, so a section means the same everywhere.

Per section:

- ``key``: its name in URLs (``?sectie=kerncijfer``); Dutch, stable.
- ``title``: the heading editors see (the printed heading where there is one).
- ``fields``: the chapter's own fields edited here.
- ``parts``: the part models (``themes.parts``) edited or commented on here.
- ``coordinator_only_fields``: fields only coordinators may change (shown read-only to editors).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from indicators import models as indicators
from themes import models as themes


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple = ()
    parts: tuple = ()
    help: str = ""
    coordinator_only_fields: tuple = field(default=())


# fmt: off
SECTIONS = (
    Section("algemeen", _("Hoofdstuk en toewijzing"),
            fields=("edition", "theme", "title", "lead_organisation", "contributing_organisations", "deadline"),
            coordinator_only_fields=("edition", "theme", "lead_organisation", "contributing_organisations", "deadline")),
    Section("focus", _("Focus en definitie"), fields=("focus", "focus_text"), parts=(themes.Definition,)),
    Section("kerncijfer", _("Kerncijfer"), fields=("headline_kind", "headline_label", "headline_note"), parts=(themes.HeadlineValue,)),
    Section("stand", _("Zo staat het ervoor"), fields=("intro_question", "summary")),
    Section("kengetallen", _("Kengetallen en figuren"), parts=(themes.KeyFigureParagraph, themes.Figure)),
    Section("aanbevelingen", _("Aanbevelingen en beweging"), parts=(themes.ChapterRecommendation,)),
    Section("ontwikkelingen", _("Cijfermatige ontwikkelingen en beleid"), parts=(themes.DevelopmentGroup, themes.DevelopmentItem)),
    Section("laatste", _("Laatste ontwikkelingen"), parts=(themes.LatestDevelopment,)),
    Section("caribisch", _("Caribisch Nederland"),
            help=_("De teksten over Bonaire, Sint Eustatius en Saba staan in hun eigen sectie, met het gebied ingevuld; hier ziet u ze bij elkaar.")),
    Section("blinde-vlekken", _("Blinde vlekken"), parts=(indicators.DataGap,)),
    Section("vrije-secties", _("Vrije secties"), parts=(themes.ChapterSection,),
            help=_("Voor edities met een andere opbouw (zoals 2020).")),
    Section("voetnoten", _("Voetnoten en bronnen"), parts=(themes.Footnote, themes.Citation)),
)
# fmt: on

BY_KEY = {section.key: section for section in SECTIONS}
DEFAULT = SECTIONS[1]  # an editor opens a chapter at its first text, not at the assignment


def of_part(model):
    """The section where a part of ``model`` is edited (``None`` for parts without one)."""
    for section in SECTIONS:
        if model in section.parts:
            return section
    return None


def of_field(name):
    """The section where the chapter's field ``name`` is edited."""
    for section in SECTIONS:
        if name in section.fields:
            return section
    return None


def get(key):
    """The section named ``key``, or the default one for a missing or unknown key."""
    return BY_KEY.get(key or "", DEFAULT)
