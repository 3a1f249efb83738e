"""Texts carried over from last year: recorded when the next edition starts, "overgenomen" until looked at.

``start_next_edition`` copies every chapter (``chapter_copied``) and the edition's own texts;
for each copied text a ``CarriedOver`` record keeps a fingerprint of what was copied. Saving
the text with other content marks it changed; an editor can also confirm that it is still
right. The readiness check counts what is neither.
"""

import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.text import capfirst

from kib.models import Edition
from kib.workflow.models import CarriedOver
from themes import models as themes
from themes.parts import PARTS

# The chapter's own texts that go to print (not its assignment: lead, deadline…).
CHAPTER_TEXTS = [
    "title",
    "focus",
    "focus_text",
    "headline_kind",
    "headline_label",
    "headline_note",
    "intro_question",
    "summary",
]


def text_fields(model):
    """What an editor writes in a part: every editable field of its own (no links, no position)."""
    if model is themes.Chapter:
        return CHAPTER_TEXTS
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.editable and not f.is_relation and not f.primary_key and f.name not in ("position", "object_id")
    ]


# The edition's own texts, each confirmed on its own.
EDITION_TEXTS = ["introduction", "reading_guide", "about", "closing", "colophon"]


def fingerprint(obj, fields):
    values = [str(getattr(obj, name) or "") for name in fields]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def _label(obj):
    if isinstance(obj, themes.Chapter):
        return str(capfirst(themes.Chapter._meta.verbose_name)) + ": focus, kerncijfer en Zo staat het ervoor"
    name, text = str(capfirst(obj._meta.verbose_name)), str(obj)
    return (text if text.lower().startswith(name.lower()) else f"{name}: {text}")[:300]


def _has_text(obj, fields):
    return any(str(getattr(obj, name) or "").strip() for name in fields)


def record_chapter(source, copy, mapping):
    """Records for ``copy`` (the new chapter) and every text part it got from ``source``.

    ``mapping`` is what ``copy_chapter`` sends with ``chapter_copied``: (model, old pk) -> copy.
    """
    pairs = [(source.pk, copy)] + [(old_pk, new) for (model, old_pk), new in mapping.items() if model in PART_MODELS]
    records = []
    for old_pk, new in pairs:
        fields = text_fields(type(new))
        if not _has_text(new, fields):
            continue
        records.append(
            CarriedOver(
                edition_id=copy.edition_id,
                chapter=copy,
                content_type=ContentType.objects.get_for_model(type(new)),
                object_id=new.pk,
                label=_label(new),
                source_object_id=old_pk,
                fingerprint=fingerprint(new, fields),
            )
        )
    return CarriedOver.objects.bulk_create(records)


def record_edition(source, new):
    """Records for the edition texts ``new`` got from ``source`` (only those that are not empty)."""
    content_type = ContentType.objects.get_for_model(Edition)
    return CarriedOver.objects.bulk_create(
        CarriedOver(
            edition=new,
            content_type=content_type,
            object_id=new.pk,
            field=name,
            label=str(capfirst(Edition._meta.get_field(name).verbose_name)),
            source_object_id=source.pk,
            fingerprint=fingerprint(new, [name]),
        )
        for name in EDITION_TEXTS
        if str(getattr(new, name) or "").strip()
    )


def on_chapter_copied(sender, source, copy, mapping, **kwargs):
    record_chapter(source, copy, mapping)


def _saved(sender, instance, created=False, raw=False, **kwargs):
    """A carried-over text saved with other content is no longer "overgenomen"."""
    if created or raw:
        return
    open_records = CarriedOver.objects.unconfirmed().filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    )
    now = timezone.now()
    for record in open_records:
        fields = [record.field] if record.field else text_fields(sender)
        if record.fingerprint != fingerprint(instance, fields):
            CarriedOver.objects.filter(pk=record.pk).update(changed_at=now)


def _deleted(sender, instance, **kwargs):
    CarriedOver.objects.filter(content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk).delete()


def connect():
    """Called from the app's ``ready()``."""
    for model in [themes.Chapter, *PART_MODELS, Edition]:
        post_save.connect(_saved, sender=model, dispatch_uid=f"kib-freshness-saved-{model._meta.label}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"kib-freshness-deleted-{model._meta.label}")


def unconfirmed_per_chapter(edition, chapters=None):
    """{chapter id: number of carried-over texts nobody looked at}, in one query."""
    rows = CarriedOver.objects.unconfirmed().filter(edition=edition, chapter__isnull=False)
    if chapters is not None:
        rows = rows.filter(chapter__in=chapters)
    return dict(rows.order_by().values_list("chapter").annotate(n=Count("pk")))


# The parts copied with the chapter (``themes.parts``) that hold something an editor writes.
PART_MODELS = [part.model for part in PARTS if part.copied == "chapter" and text_fields(part.model)]
