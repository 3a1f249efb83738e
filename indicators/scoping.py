"""Which indicators a user may import, export and edit.

An indicator belongs to the organisations that lead or contribute to the chapter of
its theme in an edition in preparation. Who sees every chapter (coordinators,
administrators, superusers) reaches every indicator. The chapter rules themselves live
in ``kib.workflow.scoping``; this module only maps them onto indicators.
"""

from indicators.models import Indicator
from kib.models import Edition
from kib.workflow import scoping as chapter_scoping


def sees_everything(user):
    return bool(user and user.is_active and user.is_superuser) or chapter_scoping.sees_all_chapters(user)


def chapters_in_preparation_for(user):
    """Chapters of editions in preparation that the user's organisations lead or contribute to."""
    return chapter_scoping.visible_chapters(user).filter(edition__state=Edition.State.PREPARATION)


def indicators_for_user(user):
    """The indicators ``user`` may work on, as a queryset."""
    if sees_everything(user):
        return Indicator.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Indicator.objects.none()
    return Indicator.objects.filter(theme_id__in=chapters_in_preparation_for(user).values("theme_id"))


def reachable(user, indicator):
    return indicators_for_user(user).filter(pk=indicator.pk).exists()
