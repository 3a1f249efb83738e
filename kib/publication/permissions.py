"""Who may download a draft preview: one function, so the rule lives in one place."""

from kib.workflow import scoping


def can_preview(user, edition, chapter=None):
    """Coordinators preview the whole edition and every chapter; an editor previews the chapters of their organisation."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if scoping.sees_all_chapters(user) or scoping.is_coordinator(user):
        return True
    if chapter is None or chapter.edition_id != edition.pk:
        return False
    return scoping.can_view_chapter(user, chapter)
