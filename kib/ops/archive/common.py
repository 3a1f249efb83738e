"""What both sides of an edition archive share: its format, the model helpers that find links,
and the fingerprint of its content (see ``kib.ops.archive`` for the format)."""

import datetime
import functools
import hashlib
import json
from collections import defaultdict

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.migrations.recorder import MigrationRecorder
from simple_history.models import HistoricalChanges

from kib.models import Edition

FORMAT = "kib-edition-archive"
VERSION = 1

# Job records, not content: the queue state of PDF builds and their draft previews; and the stored
# data files made from the edition (made again at the first download). The snapshot of its charts
# (``ChartSnapshot``/``SnapshotCell``) goes in: it is what the published edition shows, and cannot be
# taken again once a later edition has published other numbers of the same indicators.
EXCLUDED_MODELS = {
    "publication.pdfbuild",
    "publication.publishedfile",
}
# Plain integer columns that hold the id of another archived row (not a foreign key, so that the row
# may go without the column changing): written as links in the fingerprint, pointed at the new row on
# import. A snapshot cell names the observation it was taken from (its order of entry).
ID_REFERENCES = {
    "publication.snapshotcell": {"observation_pk": "indicators.observation"},
}
# A referred row of these models comes with the rows that belong to it.
REFERENCED_WITH_CHILDREN = {
    "indicators.indicator": ["observations"],
    "recommendations.concludingobservations": ["recommendations"],
}


class _Encoder(DjangoJSONEncoder):
    """Like Django's, but keeps the microseconds of times (a backup loses nothing)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class ArchiveError(Exception):
    """The archive cannot be written or read; the message says why."""


def label(model):
    return model._meta.label_lower


def _key(obj):
    return (label(obj), obj.pk)


def _is_user_model(model):
    return model is get_user_model()


def _skipped(model):
    """Models that never go in: auto-created m2m tables, history tables, excluded ones, accounts, content types."""
    return (
        model._meta.auto_created
        or label(model) in EXCLUDED_MODELS
        or issubclass(model, HistoricalChanges)
        or _is_user_model(model)
        or model is ContentType
    )


def _forward_links(model):
    """(field, target model) for every concrete foreign key and one-to-one field."""
    return [
        (f, f.related_model) for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)
    ]


def _m2m_fields(model):
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def _generic_fks(model):
    return [f for f in model._meta.private_fields if isinstance(f, GenericForeignKey)]


@functools.cache
def _edition_models():
    """Models whose rows belong to one edition: everything deleted with an edition, structurally."""
    found, todo = set(), [Edition]
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        for rel in model._meta.related_objects:
            if rel.on_delete in (models.CASCADE, models.PROTECT) and not _skipped(rel.related_model):
                todo.append(rel.related_model)
    return found


def _unique_lookups(model):
    """Field-name tuples that identify one row: unique fields and unconditional unique constraints."""
    lookups = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    for constraint in model._meta.total_unique_constraints:
        lookups.append(tuple(constraint.fields))
    lookups.extend(tuple(together) for together in model._meta.unique_together)
    return lookups


def _file_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


# ---------------------------------------------------------------------------------------------
# The fingerprint: the content of an archive, independent of row ids


def _canonical(records, file_hashes):
    """Each record as (its place among its model's records, its content with links as places)."""
    rank, counters = {}, defaultdict(int)
    for record in records:
        rank[(record["model"], record["pk"])] = counters[record["model"]]
        counters[record["model"]] += 1

    def ref(model_label, pk):
        return rank.get((model_label, pk), f"outside:{pk}")

    canonical = []
    for record in records:
        model = apps.get_model(record["model"])
        fields = dict(record["fields"])
        for field, target_model in _forward_links(model):
            if field.name in fields and fields[field.name] is not None and target_model is not ContentType:
                if not _is_user_model(target_model):
                    fields[field.name] = ref(label(target_model), fields[field.name])
        for field in _m2m_fields(model):
            if field.name in fields:
                fields[field.name] = sorted((ref(label(field.related_model), pk) for pk in fields[field.name]), key=str)
        for gfk in _generic_fks(model):
            natural, object_id = fields.get(gfk.ct_field), fields.get(gfk.fk_field)
            if natural and object_id is not None:
                fields[gfk.fk_field] = ref(".".join(natural), object_id)
        for name, target_label in ID_REFERENCES.get(record["model"], {}).items():
            if fields.get(name) is not None:
                fields[name] = ref(target_label, fields[name])
        for field in _file_fields(model):
            if fields.get(field.name):
                fields[field.name] = file_hashes.get(fields[field.name], "missing")
        row = [record["model"], record.get("owned"), record.get("links"), fields]
        canonical.append((rank[(record["model"], record["pk"])], row))
    return canonical


def _dumps(value):
    return json.dumps(value, cls=_Encoder, sort_keys=True, ensure_ascii=False)


def fingerprint(records, file_hashes):
    """SHA-256 over every row, with ids replaced by each row's place in the archive.

    Two archives of the same content have the same fingerprint, whatever ids the database
    gave their rows; any changed value, link, row or file changes it.
    """
    payload = _dumps([row for _rank, row in _canonical(records, file_hashes)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _applied_migrations(using):
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())
