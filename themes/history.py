"""A chapter with all its parts at a point in time: compare two moments, and restore one.

The chapter and every part with ``in_history`` in ``themes.parts`` keep their revisions with
django-simple-history. The chapter *as of* a moment is its latest revision up to then plus,
per part, the latest revision of each part up to then that is not a deletion. Comparing two
moments lists the parts added, removed and changed (with a word diff of their text, from
``kib.workflow.diff``); restoring a moment writes that state back: the chapter's own texts,
every part as it was (a deleted one comes back with its old number), and removes the parts
added since.

What a restore cannot bring back, because it has no history of its own: the citations of a
part (``Citation``: a deleted part's citations stay deleted, a kept part keeps today's),
the charts and their series of a figure (``Chart``, ``FigureSeries``) and the headline
series (``HeadlineSeries``); and it leaves the assignment (edition, theme, lead
organisation, deadline) and the workflow state as they are now.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kib.workflow import scoping
from kib.workflow.diff import compare_records, plain_text
from themes.models import Chapter
from themes.parts import PARTS

# The chapter's fields a restore leaves as they are: the assignment and the workflow.
NOT_RESTORED = ("id", "edition", "theme", "lead_organisation", "deadline", "state")
HISTORY_PARTS = tuple(part for part in PARTS if part.in_history)


class RestoreRefused(Exception):
    """The chapter cannot be restored now; the message says why, for the user."""


def dutch_datetime(moment):
    """ "3 december 2026 14:05", in the local time zone."""
    return date_format(timezone.localtime(moment), "j F Y H:i")


def _records(part, chapter_id, until):
    if part.parent_field == "chapter":
        rows = part.model.history.filter(chapter_id=chapter_id)
    else:  # an item: through its group's history, so a deleted group's items are found too
        parents = set(part.parent.history.filter(chapter_id=chapter_id).values_list("id", flat=True))
        rows = part.model.history.filter(**{f"{part.parent_field}_id__in": parents})
    return rows.filter(history_date__lte=until).order_by("history_date", "history_id")


def parts_as_of(chapter_id, until):
    """``{(model, pk): historical record}`` of the parts the chapter had at ``until``."""
    state = {}
    for part in HISTORY_PARTS:
        latest = {}
        for record in _records(part, chapter_id, until):
            latest[record.id] = record
        for pk, record in latest.items():
            if record.history_type != "-":
                state[(part.model, pk)] = record
    return state


def chapter_as_of(chapter_id, until):
    """The chapter's latest own revision up to ``until`` (``None`` before it existed)."""
    return (
        Chapter.history.filter(id=chapter_id, history_date__lte=until).order_by("-history_date", "-history_id").first()
    )


def _label(record):
    return f"{capfirst(record.instance_type._meta.verbose_name)}: {record.history_object}"[:160]


def _fields(record):
    """The part's own texts as (field name, plain text), for an added or removed part."""
    model = record.instance_type
    rows = []
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation or model_field.name in ("id", "position") or not model_field.editable:
            continue
        text = plain_text(model_field, getattr(record, model_field.attname))
        if text:
            rows.append({"field": model_field.verbose_name, "text": text})
    return rows


@dataclass
class PartChange:
    kind: str  # "added", "removed", "changed"
    label: str
    rows: list = field(default_factory=list)

    @property
    def kind_label(self):
        return {"added": _("toegevoegd"), "removed": _("verwijderd"), "changed": _("gewijzigd")}[self.kind]


def compare_parts(chapter_id, old_moment, new_moment):
    """The parts added, removed and changed between two moments, in the printed order."""
    old, new = parts_as_of(chapter_id, old_moment), parts_as_of(chapter_id, new_moment)
    order = {part.model: index for index, part in enumerate(HISTORY_PARTS)}
    changes = []
    for key in sorted(old.keys() | new.keys(), key=lambda key: (order[key[0]], key[1])):
        before, after = old.get(key), new.get(key)
        if before is None:
            changes.append(PartChange("added", _label(after), _fields(after)))
        elif after is None:
            changes.append(PartChange("removed", _label(before), _fields(before)))
        elif before.history_id != after.history_id and (rows := compare_records(before, after)):
            changes.append(PartChange("changed", _label(after), rows))
    return changes


def moments(chapter_id, limit=200):
    """Every moment the chapter or one of its parts changed, newest first: (when, who, what)."""
    rows = [
        (r.history_date, r.history_user, _("Hoofdstuk"), r.get_history_type_display())
        for r in Chapter.history.filter(id=chapter_id).select_related("history_user")
    ]
    now = timezone.now()
    for part in HISTORY_PARTS:
        for record in _records(part, chapter_id, now).select_related("history_user"):
            rows.append((record.history_date, record.history_user, _label(record), record.get_history_type_display()))
    return sorted(rows, key=lambda row: row[0], reverse=True)[:limit]


def _restore_m2m(instance, record):
    """The many-to-many links a revision recorded (a development group's recommendations)."""
    for m2m in getattr(type(record), "_history_m2m_fields", ()):
        ids = [getattr(row, f"{m2m.m2m_reverse_field_name()}_id") for row in getattr(record, m2m.name).all()]
        getattr(instance, m2m.name).set(ids)


def _differs(current, record):
    return any(
        getattr(current, f.attname) != getattr(record, f.attname)
        for f in current._meta.concrete_fields
        if hasattr(record, f.attname)
    )


@transaction.atomic
def restore_chapter(chapter, moment, by, seen_version):
    """Put ``chapter`` and its parts back as they were at ``moment``, as one save of the chapter.

    The same rules as a save: the user must be allowed to change the chapter now, it must
    still be at ``seen_version`` (else ``ChapterChanged``), an approved chapter or a chapter
    of a frozen edition is refused. Returns the number of parts put back, changed or removed.
    """
    from kib.workflow import services

    locked = Chapter.objects.select_for_update(of=("self",)).select_related("edition").get(pk=chapter.pk)
    if scoping.is_frozen(locked.edition):
        raise RestoreRefused(
            _("De editie %(edition)s is gepubliceerd; er kan niets meer in veranderen.") % {"edition": locked.edition}
        )
    if locked.state == Chapter.State.APPROVED:
        raise RestoreRefused(_("Dit hoofdstuk is goedgekeurd; heropen het eerst om een oude versie terug te zetten."))
    if not scoping.can_edit_chapter(by, locked):
        raise RestoreRefused(_("U mag dit hoofdstuk nu niet wijzigen."))
    record = chapter_as_of(locked.pk, moment)
    if record is None:
        raise RestoreRefused(_("Op dat moment bestond dit hoofdstuk nog niet."))
    services.record_revision(locked.pk, by, seen_version)
    locked.refresh_from_db()
    touched = 0
    for model_field in Chapter._meta.concrete_fields:
        if model_field.name not in NOT_RESTORED and hasattr(record, model_field.attname):
            setattr(locked, model_field.attname, getattr(record, model_field.attname))
    locked.save()
    _restore_m2m(locked, record)
    then = parts_as_of(locked.pk, moment)
    now = parts_as_of(locked.pk, timezone.now())
    for part in reversed(HISTORY_PARTS):  # items before their groups
        for (model, pk), _record in now.items():
            if model is part.model and (model, pk) not in then:
                row = model._default_manager.filter(pk=pk).first()
                if row is not None:
                    row.delete()
                    touched += 1
    for part in HISTORY_PARTS:  # groups before their items
        for (model, pk), old in then.items():
            if model is not part.model:
                continue
            current = model._default_manager.filter(pk=pk).first()
            if current is not None and not _differs(current, old):
                continue
            instance = old.instance
            instance.save()
            _restore_m2m(instance, old)
            touched += 1
    services.audit(
        locked,
        by,
        services.Action.RESTORE,
        comment=_("Hoofdstuk met onderdelen teruggezet naar %(when)s.") % {"when": dutch_datetime(moment)},
    )
    chapter.version = locked.version
    return touched
