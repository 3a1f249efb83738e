"""Reading an edition archive: check it, and add the edition to the database in one transaction."""

import hashlib
import json
import zipfile
from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, transaction

from kib.models import Edition
from kib.ops.archive.common import (
    FORMAT,
    ID_REFERENCES,
    VERSION,
    ArchiveError,
    _applied_migrations,
    _file_fields,
    _forward_links,
    _generic_fks,
    _is_user_model,
    _m2m_fields,
    _unique_lookups,
    fingerprint,
    label,
)
from kib.ops.archive.writing import _edition_index, edition_fingerprint
from kib.richtext import RichTextField

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
        for name, target_label in ID_REFERENCES.get(record["model"], {}).items():
            target_key = (target_label, fields.get(name))
            if target_key in mapping:  # loaded before (``_model_order``); a row gone since keeps its old id
                fields[name] = mapping[target_key]
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
