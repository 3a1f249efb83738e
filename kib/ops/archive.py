"""A portable archive of one edition, for ``manage.py export_edition`` and ``import_edition``.

The archive is a zip file::

    manifest.json   what it holds: format and version, the edition, the applied migrations,
                    rows per model, every stored file with its SHA-256, a content fingerprint
    data.json       the rows, as Django's serializer writes them, in an order that can be loaded
    media/NAME      the stored files (the published PDFs), under their storage names

What goes in is found, not listed, so models added later come along by themselves:

1. the edition and everything that would be deleted with it, found by Django's own deletion
   collector (``NestedObjects``): chapters and all their parts, data gaps, figure charts and
   series, review comments, corrections, the published PDFs;
2. rows that point at those with a generic foreign key (the workflow's audit entries);
3. every row these refer to (themes, recommendations, concluding observations, organisations,
   sources, indicators), with the rows that make up a referred indicator (its observations)
   or a set of concluding observations (all its recommendations), see ``REFERENCED_WITH_CHILDREN``.

Links to user accounts are stored as user names and links to content types as their natural
key; an import keeps a link to an account only when that account exists. A link to another
edition's content (a data gap first noted in an earlier edition) is kept when that row can be
named by a unique field (an edition by its year) and exists at import; otherwise it is left
empty. PDF build jobs and the history of changes are not archived.

An import adds the edition to the database in one transaction: rows of the edition get new
ids; themes, organisations, sources, recommendations, indicators and observations that already
exist (same unique key) are used as they are and never changed. It refuses, changing nothing,
when the edition's year exists, when the archive is damaged, or when it was made by a newer KIB.
"""

import datetime
import functools
import hashlib
import io
import json
import zipfile
from collections import defaultdict

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from simple_history.models import HistoricalChanges

from kib.models import Edition
from kib.richtext import RichTextField

FORMAT = "kib-edition-archive"
VERSION = 1

# Job records, not content: the queue state of PDF builds and their draft previews.
EXCLUDED_MODELS = {"publication.pdfbuild"}
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


def _resolve_soft_link(link, using, indexes):
    """The pk of the row a soft link names, when it exists here unchanged; else None."""
    if not link:
        return None
    model = apps.get_model(link[0])
    where = link[1]
    if "edition" not in where:
        return model._base_manager.using(using).filter(**where).values_list("pk", flat=True).first()
    edition = Edition.objects.using(using).filter(year=where["edition"]).first()
    if edition is None:
        return None
    if edition.pk not in indexes:
        indexes[edition.pk] = _edition_index(edition, using)
    found = indexes[edition.pk]["by_rank"].get((link[0], where["rank"]))
    return found[0] if found and found[1] == where["digest"] else None


def collect_records(edition, using=DEFAULT_DB_ALIAS, soft_links=True):
    """The rows of an archive of ``edition``, as serializer records in loading order."""
    collection = _Collection(using)
    _collect_owned(collection, [edition])
    _collect_generic(collection)
    outside = _collect_references(collection, _edition_models())
    return _serialise(collection, outside, soft_links)


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


def _applied_migrations(using):
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


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


# ---------------------------------------------------------------------------------------------
# Import


def read_archive(fileobj):
    """Open and check an archive: (manifest, records, {name: bytes}). Raises ArchiveError."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"Geen leesbaar zip-archief: {exc}") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
            data = archive.read("data.json")
        except (KeyError, ValueError) as exc:
            raise ArchiveError(
                f"Geen editie-archief (manifest.json of data.json ontbreekt of is onleesbaar): {exc}"
            ) from None
        if manifest.get("format") != FORMAT:
            raise ArchiveError(f"Geen editie-archief (formaat {manifest.get('format')!r}).")
        if manifest.get("version") != VERSION:
            raise ArchiveError(
                f"Archiefversie {manifest.get('version')} wordt niet ondersteund (deze KIB leest versie {VERSION})."
            )
        if hashlib.sha256(data).hexdigest() != manifest.get("data_sha256"):
            raise ArchiveError("data.json klopt niet met de controlesom in het manifest: het archief is beschadigd.")
        contents = {}
        for name, meta in manifest.get("files", {}).items():
            try:
                content = archive.read(f"media/{name}")
            except KeyError:
                raise ArchiveError(f"Het bestand {name} staat in het manifest maar ontbreekt in het archief.") from None
            if hashlib.sha256(content).hexdigest() != meta["sha256"]:
                raise ArchiveError(f"Het bestand {name} klopt niet met zijn controlesom: het archief is beschadigd.")
            contents[name] = content
    records = json.loads(data)
    if fingerprint(records, {name: meta["sha256"] for name, meta in manifest["files"].items()}) != manifest.get(
        "fingerprint"
    ):
        raise ArchiveError("De rijen kloppen niet met de vingerafdruk in het manifest: het archief is beschadigd.")
    return manifest, records, contents


class ImportReport:
    def __init__(self, year):
        self.year = year
        self.created = defaultdict(int)
        self.reused = defaultdict(int)
        self.unlinked = defaultdict(int)  # links left empty: accounts or other editions' rows not here
        self.files = []
        self.fingerprint_checked = False


def _resolve_natural(model, natural, using):
    if _is_user_model(model):
        return (
            model._base_manager.using(using)
            .filter(**{model.USERNAME_FIELD: natural[0]})
            .values_list("pk", flat=True)
            .first()
        )
    return ContentType.objects.db_manager(using).get_by_natural_key(*natural).pk


def _find_existing(obj, using):
    model = type(obj)
    for lookup in _unique_lookups(model):
        values = {}
        for name in lookup:
            field = model._meta.get_field(name)
            values[field.attname] = getattr(obj, field.attname)
        if all(v is not None for v in values.values()):
            pk = model._base_manager.using(using).filter(**values).values_list("pk", flat=True).first()
            if pk is not None:
                return pk
    return None


def import_edition(fileobj, using=DEFAULT_DB_ALIAS, dry_run=False):
    """Add the archived edition to the database; return an ``ImportReport``. All or nothing."""
    manifest, records, contents = read_archive(fileobj)
    year = manifest["edition"]["year"]
    applied = {tuple(m) for m in _applied_migrations(using)}
    newer = sorted(f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in applied)
    if newer:
        raise ArchiveError(
            "Het archief komt van een nieuwere KIB (migraties die hier ontbreken: "
            + ", ".join(newer[:5])
            + (" …" if len(newer) > 5 else "")
            + "). Werk eerst bij en migreer."
        )
    if Edition.objects.using(using).filter(year=year).exists():
        raise ArchiveError(f"Editie {year} bestaat al; er is niets veranderd.")
    report = ImportReport(year)
    saved_files = []
    try:
        with transaction.atomic(using=using):
            _load(records, contents, report, using, saved_files)
            if not report.reused and not report.unlinked:  # all new: the content must be exactly what was exported
                edition = Edition.objects.using(using).get(year=year)
                if edition_fingerprint(edition, using) != manifest["fingerprint"]:
                    raise ArchiveError("Na het inlezen wijkt de inhoud af van het archief; er is niets veranderd.")
                report.fingerprint_checked = True
            if dry_run:
                transaction.set_rollback(True, using=using)
    except BaseException:
        _delete_files(saved_files)
        raise
    if dry_run:
        _delete_files(saved_files)
    return report


def _delete_files(saved_files):
    for storage, name in saved_files:
        storage.delete(name)


def _load(records, contents, report, using, saved_files):
    mapping = {}  # (label, old pk) -> new pk
    pending = []  # (model, new pk, field attname, target key): links to rows loaded later
    pending_generic = []  # (model, new pk, gfk, target key)
    archived = {(r["model"], r["pk"]) for r in records}
    indexes = {}  # other editions' rows, for soft links
    for record in records:
        model = apps.get_model(record["model"])
        fields = dict(record["fields"])
        later, later_generic = [], []
        for field, target_model in _forward_links(model):
            value = fields.get(field.name)
            if field.name in record.get("links", {}):
                value = _resolve_soft_link(record["links"][field.name], using, indexes)
                if value is None:
                    report.unlinked[f"{record['model']}.{field.name}"] += 1
                fields[field.name] = value
            elif value is None:
                continue
            elif target_model is ContentType or _is_user_model(target_model):
                fields[field.name] = _resolve_natural(target_model, value, using)
                if fields[field.name] is None:
                    if not field.null:
                        raise ArchiveError(f"{record['model']}.{field.name}: account {value[0]!r} bestaat hier niet.")
                    report.unlinked[f"{record['model']}.{field.name}"] += 1
            else:
                target_key = (label(target_model), value)
                if target_key in mapping:
                    fields[field.name] = mapping[target_key]
                elif target_key in archived and field.null:
                    fields[field.name] = None
                    later.append((field.attname, target_key))
                else:
                    raise ArchiveError(f"{record['model']} {record['pk']}: {field.name} is niet te herleiden.")
        for field in _m2m_fields(model):
            if field.name in fields:
                fields[field.name] = [mapping[(label(field.related_model), pk)] for pk in fields[field.name]]
        for gfk in _generic_fks(model):
            natural, object_id = record["fields"].get(gfk.ct_field), fields.get(gfk.fk_field)
            if not natural or object_id is None:
                continue
            target_key = (".".join(natural), object_id)
            if target_key in mapping:
                fields[gfk.fk_field] = mapping[target_key]
            elif target_key in archived and model._meta.get_field(gfk.fk_field).null:
                fields[gfk.fk_field] = None
                later_generic.append((gfk, target_key))
            else:  # points outside the archive: leave the generic link empty when it may be
                if not model._meta.get_field(gfk.fk_field).null:
                    raise ArchiveError(f"{record['model']} {record['pk']}: {gfk.name} is niet te herleiden.")
                fields[gfk.ct_field] = fields[gfk.fk_field] = None
                report.unlinked[f"{record['model']}.{gfk.name}"] += 1

        deserialized = next(
            serializers.deserialize(
                "python",
                [{"model": record["model"], "pk": None, "fields": fields}],
                using=using,
                ignorenonexistent=True,
            )
        )
        obj = deserialized.object
        if not record.get("owned"):
            existing = _find_existing(obj, using)
            if existing is not None:
                mapping[(record["model"], record["pk"])] = existing
                report.reused[record["model"]] += 1
                continue
        for field in model._meta.concrete_fields:
            if isinstance(field, RichTextField):  # the archive is input like any other: sanitise it
                setattr(obj, field.attname, field.pre_save(obj, add=True))
        for field in _file_fields(model):
            name = getattr(obj, field.attname).name
            if name:
                if name not in contents:
                    raise ArchiveError(f"{record['model']} {record['pk']}: het bestand {name} zit niet in het archief.")
                stored = field.storage.save(name, ContentFile(contents[name]))
                saved_files.append((field.storage, stored))
                report.files.append(stored)
                setattr(obj, field.attname, stored)
        deserialized.save(using=using)
        mapping[(record["model"], record["pk"])] = obj.pk
        report.created[record["model"]] += 1
        pending.extend((model, obj.pk, attname, target) for attname, target in later)
        pending_generic.extend((model, obj.pk, gfk, target) for gfk, target in later_generic)
    for model, pk, attname, target in pending:
        model._base_manager.using(using).filter(pk=pk).update(**{attname: mapping[target]})
    for model, pk, gfk, target in pending_generic:
        model._base_manager.using(using).filter(pk=pk).update(**{gfk.fk_field: mapping[target]})


def describe(manifest):
    """One line per model: what an archive holds (for ``import_edition --dry-run`` and the logs)."""
    out = io.StringIO()
    edition = manifest["edition"]
    out.write(f"Editie {edition['year']}: {edition['title']} ({edition['state']})\n")
    for model_label, count in manifest["counts"].items():
        out.write(f"  {model_label}: {count}\n")
    out.write(f"  bestanden: {len(manifest['files'])}\n")
    return out.getvalue()


__all__ = [
    "ArchiveError",
    "collect_records",
    "describe",
    "edition_fingerprint",
    "export_edition",
    "fingerprint",
    "import_edition",
    "read_archive",
]
