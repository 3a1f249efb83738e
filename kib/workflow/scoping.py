"""Who reaches what: the one place that decides it for chapters, indicators and their
observations, PDF builds, draft previews and import logs.

- Coordinators and administrators (permission ``workflow.see_all_chapters``) and
  superusers see every chapter; everybody else sees the chapters whose lead or
  contributing organisation they are a member of.
- Editing content needs, on top of the model permission the admin checks:
  the edition is not frozen (published without an open correction), and
  for a coordinator the chapter is not approved (reopen it first) unless a correction is
  open; for anybody else it is a chapter of their organisation in draft.
- An indicator belongs to the organisations that lead or contribute to the chapter of its
  theme in an edition in preparation; who sees every chapter reaches every indicator, and
  observations, chart series and the like follow their indicator.
- PDF builds and published versions are listed to staff; coordinators see every build and
  preview the whole edition, an editor sees their own previews and those of their chapters,
  and previews only those chapters.
- An import log is seen by its author, and by who sees every chapter.

The admin asks these questions dozens of times per page (each field, each inline row's permission). Two answers
are kept, for one request and one user only, and recomputed when their inputs may have changed:
``sees_all_chapters``/``is_coordinator`` on the user object next to Django's own permission cache (gone with it),
and ``visible_chapter_ids(request)`` on the request, dropped by any save or delete of a chapter, its contributing
organisations or a membership (``_bump``).
"""

import itertools

from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from indicators.models import Indicator
from kib.models import Edition, Membership
from kib.workflow.models import EditionCorrection
from themes.models import Chapter


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def _has_perm(user, perm):
    """``user.has_perm(perm)``, remembered on the user object as long as Django's own permission cache
    (``_perm_cache``) is the same object and the user's active and superuser flags have not changed.

    ``getattr``/``setattr``, not ``__dict__``: ``request.user`` is a lazy object that passes them on to the user."""
    flags = (user.is_active, user.is_superuser)
    memo = getattr(user, "_kib_perms", None)
    if memo is not None and memo[0] is getattr(user, "_perm_cache", None) and memo[1] == flags and perm in memo[2]:
        return memo[2][perm]
    answer = user.has_perm(perm)
    cache = getattr(user, "_perm_cache", None)
    if cache is None:  # no permission cache (a backend that keeps none): nothing to tie ours to, ask again next time
        return answer
    if memo is None or memo[0] is not cache or memo[1] != flags:
        memo = (cache, flags, {})
        user._kib_perms = memo
    memo[2][perm] = answer
    return answer


def sees_all_chapters(user):
    return _active(user) and _has_perm(user, "workflow.see_all_chapters")


def is_coordinator(user):
    return _active(user) and _has_perm(user, "workflow.review_chapter")


def organisation_ids(user):
    """The user's organisations, cached on the user object for the request."""
    if not _active(user):
        return set()
    if not hasattr(user, "_kib_organisation_ids"):
        user._kib_organisation_ids = set(user.memberships.values_list("organisation_id", flat=True))
    return user._kib_organisation_ids


def _open_correction():
    return Exists(EditionCorrection.objects.filter(edition=OuterRef("pk"), closed_at__isnull=True))


def frozen_editions():
    """Published editions without an open correction: nobody changes anything in them."""
    return Edition.objects.filter(state=Edition.State.PUBLISHED).filter(~_open_correction())


def editions_in_correction():
    return Edition.objects.filter(state=Edition.State.PUBLISHED).filter(_open_correction())


def is_frozen(edition):
    return edition.state == Edition.State.PUBLISHED and not edition.corrections.filter(closed_at__isnull=True).exists()


def _own(user):
    ids = organisation_ids(user)
    return Q(lead_organisation__in=ids) | Q(contributing_organisations__in=ids)


def visible_chapters(user):
    """The chapters ``user`` may see in the admin, as a queryset (usable as a subquery)."""
    if not _active(user):
        return Chapter.objects.none()
    if sees_all_chapters(user):
        return Chapter.objects.all()
    return Chapter.objects.filter(pk__in=Chapter.objects.filter(_own(user)).values("pk"))


_generation = itertools.count()
_current = [next(_generation)]


def _bump(*args, **kwargs):
    """Who sees which chapter may have changed: request memos of ``visible_chapter_ids`` are stale."""
    _current[0] = next(_generation)


def generation():
    """A number that changes whenever who sees which chapter may have changed (see ``_bump``)."""
    return _current[0]


def visible_chapter_ids(request):
    """The ids of ``visible_chapters(request.user)`` as a list, read once per request (``None``: every chapter).

    A list, not a subquery: the admin filters every part's queryset by it, and the queries stay flat."""
    user = request.user
    if sees_all_chapters(user):
        return None
    memo = request.__dict__.get("_kib_visible_chapter_ids")
    key = (generation(), user.pk, frozenset(organisation_ids(user)))
    if memo is None or memo[0] != key:
        # The same rows as ``visible_chapters``, without its subquery and the ordering's joins.
        rows = Chapter.objects.filter(_own(user)).order_by().values_list("pk", flat=True).distinct()
        memo = (key, list(rows) if _active(user) else [])
        request.__dict__["_kib_visible_chapter_ids"] = memo
    return memo[1]


def editable_chapters(user):
    """The chapters whose content ``user`` may change now (model permissions aside)."""
    if not _active(user):
        return Chapter.objects.none()
    in_preparation = Q(edition__state=Edition.State.PREPARATION)
    in_correction = Q(edition__in=editions_in_correction())
    if is_coordinator(user):
        return Chapter.objects.filter((in_preparation & ~Q(state=Chapter.State.APPROVED)) | in_correction)
    return visible_chapters(user).filter(in_preparation, state=Chapter.State.DRAFT)


def can_view_chapter(user, chapter):
    if sees_all_chapters(user):
        return True
    if not _active(user):
        return False
    ids = organisation_ids(user)
    if chapter.lead_organisation_id in ids:
        return True
    return bool(ids) and chapter.contributing_organisations.filter(pk__in=ids).exists()


def can_edit_chapter(user, chapter):
    """The same rule as ``editable_chapters``, for one chapter already in memory."""
    edition = chapter.edition
    if edition.state == Edition.State.PUBLISHED:
        return is_coordinator(user) and not is_frozen(edition)
    if is_coordinator(user):
        return chapter.state != Chapter.State.APPROVED
    return chapter.state == Chapter.State.DRAFT and can_view_chapter(user, chapter)


# -- indicators and what hangs off them ---------------------------------------------------


def chapters_in_preparation(user):
    """The chapters ``user`` sees in editions in preparation: whose indicators they work on."""
    return visible_chapters(user).filter(edition__state=Edition.State.PREPARATION)


def visible_indicators(user):
    """The indicators ``user`` may import, export and edit, as a queryset."""
    if sees_all_chapters(user):
        return Indicator.objects.all()
    if not _active(user):
        return Indicator.objects.none()
    return Indicator.objects.filter(theme_id__in=chapters_in_preparation(user).values("theme_id"))


def scope_by_indicator(user, queryset, lookup="indicator"):
    """``queryset`` (observations, chart series, ...) narrowed to rows of indicators ``user`` reaches."""
    if sees_all_chapters(user):
        return queryset
    # A list of ids, not a nested subquery: inside the admin's observation queries PostgreSQL
    # planned that nesting to run for many minutes.
    return queryset.filter(**{f"{lookup}__in": list(visible_indicators(user).values_list("pk", flat=True))})


def visible_import_logs(user, queryset):
    """Import logs: every one for who sees every chapter, otherwise the user's own."""
    return queryset if sees_all_chapters(user) else queryset.filter(user=user)


# -- PDF builds and draft previews --------------------------------------------------------


def _staff(user):
    return _active(user) and user.is_staff


def can_view_pdf_builds(user):
    """Whether ``user`` may open the lists of PDF builds and published versions at all."""
    return _staff(user)


def previews_whole_edition(user):
    """Coordinators (and who sees every chapter) preview the whole edition and every chapter."""
    return _staff(user) and (sees_all_chapters(user) or is_coordinator(user))


def visible_pdf_builds(user, queryset):
    """Coordinators see every build; editors their own previews and those of their chapters."""
    if previews_whole_edition(user):
        return queryset
    if not _staff(user):
        return queryset.none()
    return queryset.filter(Q(requested_by=user) | Q(chapter__in=visible_chapters(user)))


def can_preview(user, edition, chapter=None):
    """Coordinators preview the whole edition and every chapter; an editor previews the chapters of their organisation."""
    if not _staff(user):
        return False
    if previews_whole_edition(user):
        return True
    if chapter is None or chapter.edition_id != edition.pk:
        return False
    return can_view_chapter(user, chapter)


def connect():
    """Connected in ``WorkflowConfig.ready``: saves and deletes that may change who sees which chapter."""
    for model in (Chapter, Membership):
        post_save.connect(_bump, sender=model, dispatch_uid=f"kib.scoping.bump.save.{model._meta.label}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"kib.scoping.bump.delete.{model._meta.label}")
    through = Chapter.contributing_organisations.through
    m2m_changed.connect(_bump, sender=through, dispatch_uid="kib.scoping.bump.contributing")
