"""Writing an edition archive: collect the edition's rows, serialise them, zip them with the files."""

import hashlib
import io
import json
import zipfile
from collections import defaultdict

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from kib.models import Edition
from kib.ops.archive.common import (
    FORMAT,
    ID_REFERENCES,
    REFERENCED_WITH_CHILDREN,
    VERSION,
    ArchiveError,
    _applied_migrations,
    _canonical,
    _dumps,
    _edition_models,
    _Encoder,
    _file_fields,
    _forward_links,
    _generic_fks,
    _is_user_model,
    _key,
    _m2m_fields,
    _skipped,
    _unique_lookups,
    fingerprint,
    label,
)

# ---------------------------------------------------------------------------------------------
# Collecting


class _Collection:
    def __init__(self, using):
        self.using = using
        self.objects = {}  # (label, pk) -> instance, in the order found
        self.owned = set()  # keys of rows that belong to the edition

    def add(self, obj, owned):
        key = _key(obj)
        if key not in self.objects:
            self.objects[key] = obj
        if owned:
            self.owned.add(key)
        return key

    def by_model(self):
        grouped = defaultdict(list)
        for (model_label, _pk), obj in self.objects.items():
            grouped[model_label].append(obj)
        return grouped


def _collect_owned(collection, roots):
    pending = list(roots)
    while pending:
        collector = NestedObjects(using=collection.using)
        collector.collect(pending)
        found = [obj for objs in collector.data.values() for obj in objs] + list(collector.protected)
        pending = []
        for obj in found:
            if _skipped(type(obj)):
                continue
            if _key(obj) not in collection.owned:
                collection.add(obj, owned=True)
                if obj in collector.protected:
                    pending.append(obj)


def _collect_generic(collection):
    """Rows that point at a collected row with a generic foreign key (audit entries, comments)."""
    by_model = collection.by_model()
    for model in apps.get_models():
        if _skipped(model):
            continue
        for gfk in _generic_fks(model):
            for objs in by_model.values():
                content_type = ContentType.objects.db_manager(collection.using).get_for_model(type(objs[0]))
                rows = model._base_manager.using(collection.using).filter(
                    **{gfk.ct_field: content_type, f"{gfk.fk_field}__in": [o.pk for o in objs]}
                )
                for row in rows:
                    collection.add(row, owned=True)


def _collect_references(collection, edition_models):
    """Add every row the collected rows refer to (and the children of some), until nothing new."""
    outside = set()  # (key, field name): links to another edition's rows, kept as soft links
    todo = list(collection.objects.values())
    while todo:
        obj = todo.pop()
        model = type(obj)
        targets = []
        for field, target_model in _forward_links(model):
            value = getattr(obj, field.attname)
            if value is None or _is_user_model(target_model) or target_model is ContentType:
                continue
            target_key = (label(target_model), value)
            if target_key in collection.objects:
                continue
            if target_model in edition_models:
                if not field.null:
                    raise ArchiveError(
                        f"{label(model)}.{field.name} verwijst naar een andere editie en mag niet leeg zijn."
                    )
                outside.add((_key(obj), field.name))
                continue
            targets.append(target_model._base_manager.using(collection.using).get(pk=value))
        for field in _m2m_fields(model):
            if _is_user_model(field.related_model) or field.related_model in edition_models:
                continue
            targets.extend(getattr(obj, field.name).all())
        for target in targets:
            if _skipped(type(target)):
                raise ArchiveError(f"{label(model)} verwijst naar {label(type(target))}; dat kan niet in een archief.")
            if _key(target) not in collection.objects:
                collection.add(target, owned=False)
                todo.append(target)
                for name in REFERENCED_WITH_CHILDREN.get(label(type(target)), []):
                    for child in getattr(target, name).all():
                        if _key(child) not in collection.objects:
                            collection.add(child, owned=False)
                            todo.append(child)
    return outside


def _model_order(model_labels, records):
    """Models in an order that can be loaded: targets of links (also generic ones) before the rows pointing at them."""
    deps = {name: set() for name in model_labels}
    for name in model_labels:
        model = apps.get_model(name)
        for _field, target_model in _forward_links(model):
            if label(target_model) in deps and label(target_model) != name:
                deps[name].add(label(target_model))
        for field in _m2m_fields(model):
            if label(field.related_model) in deps and label(field.related_model) != name:
                deps[name].add(label(field.related_model))
        for target in ID_REFERENCES.get(name, {}).values():
            if target in deps and target != name:
                deps[name].add(target)
    for record in records:
        for gfk in _generic_fks(apps.get_model(record["model"])):
            natural = record["fields"].get(gfk.ct_field)
            target = ".".join(natural) if natural else None
            if target in deps and target != record["model"]:
                deps[record["model"]].add(target)
    order, done = [], set()
    while len(order) < len(deps):
        ready = sorted(name for name in deps if name not in done and deps[name] <= done)
        if not ready:  # a cycle: take the first; its links are filled in afterwards (they must allow empty)
            ready = [sorted(name for name in deps if name not in done)[0]]
        for name in ready:
            order.append(name)
            done.add(name)
    return order


def _serialise(collection, outside, soft_links=True):
    by_model = collection.by_model()
    indexes = {}  # edition pk -> index of its rows, for soft links
    records = []
    for model_label, objs in by_model.items():
        model = apps.get_model(model_label)
        objs = sorted(objs, key=lambda o: o.pk)
        for record in serializers.serialize("python", objs):
            obj_key = (model_label, record["pk"])
            fields = record["fields"]
            links = {}
            for field, target_model in _forward_links(model):
                value = fields.get(field.name)
                if value is None:
                    continue
                if target_model is ContentType:
                    fields[field.name] = list(ContentType.objects.get_for_id(value).natural_key())
                elif _is_user_model(target_model):
                    fields[field.name] = list(target_model._base_manager.get(pk=value).natural_key())
                elif (obj_key, field.name) in outside:
                    fields[field.name] = None
                    links[field.name] = (
                        _soft_link(target_model, value, collection.using, indexes) if soft_links else None
                    )
            for field in _m2m_fields(model):
                if label(field.related_model) not in by_model:
                    fields.pop(field.name, None)
            record["owned"] = obj_key in collection.owned
            if links:
                record["links"] = links
            records.append(record)
    order = {name: i for i, name in enumerate(_model_order(list(by_model), records))}
    records.sort(key=lambda r: (order[r["model"]], _pk_sort_key(r["pk"])))
    return records


def _pk_sort_key(pk):
    return (0, pk, "") if isinstance(pk, int) else (1, 0, str(pk))


def _soft_link(model, pk, using, indexes):
    """A link to a row of another edition, kept so that an import can find that row again.

    By a unique field when the model has one (an edition by its year); otherwise by the
    row's edition, its place among that edition's rows of its model, and a digest of its
    content, so an import links only to the very same row (None when there is no edition).
    """
    for lookup in _unique_lookups(model):
        if len(lookup) == 1:
            value = model._base_manager.using(using).filter(pk=pk).values_list(lookup[0], flat=True).first()
            if value is not None:
                return [label(model), {lookup[0]: value}]
    edition = _owning_edition(model._base_manager.using(using).get(pk=pk), using)
    if edition is None:
        return None
    if edition.pk not in indexes:
        indexes[edition.pk] = _edition_index(edition, using)
    place = indexes[edition.pk]["by_pk"].get((label(model), pk))
    if place is None:
        return None
    return [label(model), {"edition": edition.year, "rank": place[0], "digest": place[1]}]


def _owning_edition(obj, using, depth=0):
    """The edition a row of edition content belongs to, following its links up (a data gap's chapter's edition)."""
    if isinstance(obj, Edition):
        return obj
    if depth > 10:
        return None
    edition_models = _edition_models()
    for field, target_model in _forward_links(type(obj)):
        value = getattr(obj, field.attname)
        if value is not None and target_model in edition_models and not field.null:
            return _owning_edition(target_model._base_manager.using(using).get(pk=value), using, depth + 1)
    return None


def _edition_index(edition, using):
    """Every row of an edition's archive (without soft links): (label, pk) <-> (rank, content digest)."""
    records = collect_records(edition, using, soft_links=False)
    by_pk, by_rank = {}, {}
    for record, (rank, row) in zip(records, _canonical(records, {}), strict=True):
        digest = hashlib.sha256(_dumps(row).encode("utf-8")).hexdigest()
        by_pk[(record["model"], record["pk"])] = (rank, digest)
        by_rank[(record["model"], rank)] = (record["pk"], digest)
    return {"by_pk": by_pk, "by_rank": by_rank}


def collect_records(edition, using=DEFAULT_DB_ALIAS, soft_links=True):
    """The rows of an archive of ``edition``, as serializer records in loading order."""
    collection = _Collection(using)
    _collect_owned(collection, [edition])
    _collect_generic(collection)
    outside = _collect_references(collection, _edition_models())
    return _serialise(collection, outside, soft_links)


def edition_fingerprint(edition, using=DEFAULT_DB_ALIAS):
    """The fingerprint of ``edition`` as it is in the database now (with its files' contents)."""
    records = collect_records(edition, using)
    return fingerprint(records, _file_hashes(records))


def _stored_files(records):
    """{storage name: storage} for every file a record refers to."""
    files = {}
    for record in records:
        model = apps.get_model(record["model"])
        for field in _file_fields(model):
            name = record["fields"].get(field.name)
            if name:
                files[name] = field.storage
    return files


def _file_hashes(records):
    hashes = {}
    for name, storage in _stored_files(records).items():
        with storage.open(name, "rb") as fh:
            hashes[name] = hashlib.sha256(fh.read()).hexdigest()
    return hashes


# ---------------------------------------------------------------------------------------------
# Export


def export_edition(edition, fileobj, using=DEFAULT_DB_ALIAS):
    """Write the archive of ``edition`` to ``fileobj`` (a path or a binary file); return the manifest."""
    records = collect_records(edition, using)
    files = {}
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, storage in sorted(_stored_files(records).items()):
            try:
                with storage.open(name, "rb") as fh:
                    content = fh.read()
            except FileNotFoundError:
                raise ArchiveError(
                    f"Het opgeslagen bestand {name} ontbreekt; de editie kan niet volledig worden gearchiveerd."
                ) from None
            files[name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            archive.writestr(f"media/{name}", content, compress_type=zipfile.ZIP_STORED)
        data = json.dumps(records, cls=_Encoder, ensure_ascii=False, indent=1)
        counts = defaultdict(int)
        for record in records:
            counts[record["model"]] += 1
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "edition": {"year": edition.year, "title": edition.title, "state": edition.state},
            "created_at": timezone.now().isoformat(),
            "migrations": _applied_migrations(using),
            "counts": dict(sorted(counts.items())),
            "files": files,
            "data_sha256": hashlib.sha256(data.encode("utf-8")).hexdigest(),
            "fingerprint": fingerprint(records, {name: f["sha256"] for name, f in files.items()}),
        }
        archive.writestr("data.json", data)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def describe(manifest):
    """One line per model: what an archive holds (for ``import_edition --dry-run`` and the logs)."""
    out = io.StringIO()
    edition = manifest["edition"]
    out.write(f"Editie {edition['year']}: {edition['title']} ({edition['state']})\n")
    for model_label, count in manifest["counts"].items():
        out.write(f"  {model_label}: {count}\n")
    out.write(f"  bestanden: {len(manifest['files'])}\n")
    return out.getvalue()
