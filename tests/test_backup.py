"""Backups of an edition: export_edition / import_edition, a portable zip with a manifest."""

import hashlib
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import ProtectedError, Q

from indicators.models import DataGap, Indicator, Observation
from kib.models import Edition, Source
from kib.ops.archive.common import ArchiveError
from kib.ops.archive.reading import import_edition
from kib.ops.archive.writing import edition_fingerprint, export_edition
from kib.publication.models import PublishedPdf
from kib.workflow import services
from kib.workflow.models import AuditEntry
from tests import factories as f
from themes.models import Chapter, Footnote, Theme

pytestmark = pytest.mark.django_db
CONTENT_APPS = ("kib", "themes", "recommendations", "indicators", "publication", "workflow")
PDF = b"%PDF-1.7\n% de gepubliceerde pdf van 2024\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def edition_2024(demo_db, media):
    """The demo 2024 edition with what a real one also has: its stored PDF, an audit entry, an author."""
    edition = Edition.objects.get(year=2024)
    coordinator = f.coordinator(username="archief-coordinator")
    pdf = PublishedPdf(edition=edition, version=1, sha256=hashlib.sha256(PDF).hexdigest(), size=len(PDF), page_count=1)
    pdf.is_current = True
    pdf.file.save("kinderrechten-in-beweging-2024.pdf", ContentFile(PDF))
    # The demo published it through the workflow (no person); a real publication names its coordinator.
    AuditEntry.objects.filter(
        action=AuditEntry.Action.PUBLISH, content_type=ContentType.objects.get_for_model(Edition), object_id=edition.pk
    ).update(user=coordinator)
    Chapter.objects.filter(edition=edition, theme__number=1).update(revised_by=coordinator)
    DataGap.objects.filter(chapter__edition=edition).update(first_noted_in=Edition.objects.get(year=2020))
    return edition


def archive_of(edition):
    buffer = io.BytesIO()
    manifest = export_edition(edition, buffer)
    buffer.seek(0)
    return buffer, manifest


def content_rows():
    return {
        model._meta.label: model._base_manager.count()
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
    }


def empty_the_database():
    """Delete every row of the content apps (not the accounts): children first, as PROTECT demands."""
    models = [m for app in CONTENT_APPS for m in apps.get_app_config(app).get_models()]
    for _round in range(len(models)):
        left = [m for m in models if m._base_manager.exists()]
        if not left:
            return
        for model in left:
            try:
                with transaction.atomic():  # a refused delete (a frozen edition's rows) undoes only itself
                    model._base_manager.all().delete()
            except ProtectedError:
                pass
    raise AssertionError(f"could not empty: {[m for m in models if m._base_manager.exists()]}")


def test_an_archive_holds_the_edition_its_references_and_its_pdf(edition_2024):
    buffer, manifest = archive_of(edition_2024)
    counts = manifest["counts"]
    assert manifest["edition"] == {"year": 2024, "title": edition_2024.title, "state": "published"}
    assert counts["kib.edition"] == 1  # not the 2020 edition the data gaps point to
    assert counts["themes.chapter"] == 10 and counts["themes.theme"] == 10
    assert counts["themes.figure"] == 39 and counts["recommendations.recommendation"] == 49
    drawn = Indicator.objects.filter(
        Q(figure_series__chart__figure__chapter__edition=edition_2024)
        | Q(headline_series__chapter__edition=edition_2024)
        | Q(data_gaps__chapter__edition=edition_2024)
    ).distinct()
    assert counts["indicators.indicator"] == drawn.count()
    assert counts["indicators.observation"] == Observation.objects.filter(indicator__in=drawn).count()
    cited = Source.objects.filter(Q(citations__chapter__edition=edition_2024) | Q(indicators__in=drawn)).distinct()
    assert counts["kib.source"] == cited.count()
    assert counts["workflow.auditentry"] == 1 and counts["publication.publishedpdf"] == 1
    with zipfile.ZipFile(buffer) as archive:
        assert archive.read("media/publicaties/kinderrechten-in-beweging-2024.pdf") == PDF
        data = json.loads(archive.read("data.json"))
    usernames = {
        tuple(r["fields"]["revised_by"]) for r in data if r["model"] == "themes.chapter" and r["fields"]["revised_by"]
    }
    assert usernames == {("archief-coordinator",)}  # accounts by name, never their e-mail or password
    assert not any(r["model"] == "auth.user" for r in data)


def test_export_into_an_empty_database_and_back_gives_identical_content(edition_2024, media):
    before = edition_fingerprint(edition_2024)
    buffer, manifest = archive_of(edition_2024)
    assert manifest["fingerprint"] == before
    Edition.objects.exclude(pk=edition_2024.pk).delete()  # the 2020 edition: its soft links go with it below
    DataGap.objects.update(first_noted_in=edition_2024)
    before = edition_fingerprint(edition_2024)
    buffer, manifest = archive_of(edition_2024)
    (media / "publicaties" / "kinderrechten-in-beweging-2024.pdf").unlink()
    empty_the_database()
    assert not any(content_rows().values())

    report = import_edition(buffer)

    assert report.fingerprint_checked and not report.reused and not report.unlinked
    restored = Edition.objects.get(year=2024)
    assert edition_fingerprint(restored) == before
    assert PublishedPdf.objects.get(edition=restored).file.read() == PDF
    assert Chapter.objects.get(edition=restored, theme__number=1).revised_by.username == "archief-coordinator"
    footnote = Footnote.objects.filter(chapter__edition=restored, content_type__isnull=False).first()
    assert footnote.target.owning_chapter == footnote.chapter  # generic links point at the new rows


def test_restoring_a_lost_edition_reuses_what_is_still_there_and_changes_it_not(edition_2024, media):
    buffer, manifest = archive_of(edition_2024)
    themes_before = list(Theme.objects.values_list("pk", "title"))
    observations_before = Observation.objects.count()
    PublishedPdf.objects.filter(edition=edition_2024).delete()
    edition_2024.delete()

    report = import_edition(buffer)

    assert report.reused["themes.theme"] == 10 and report.created["kib.edition"] == 1
    assert list(Theme.objects.values_list("pk", "title")) == themes_before
    assert Observation.objects.count() == observations_before
    restored = Edition.objects.get(year=2024)
    assert edition_fingerprint(restored) == manifest["fingerprint"]  # same content, links to 2020 included
    assert set(DataGap.objects.filter(chapter__edition=restored).values_list("first_noted_in__year", flat=True)) == {
        2020
    }


def test_import_refuses_an_edition_that_exists_and_changes_nothing(edition_2024):
    buffer, _manifest = archive_of(edition_2024)
    before = content_rows()
    with pytest.raises(ArchiveError, match="Editie 2024 bestaat al"):
        import_edition(buffer)
    assert content_rows() == before


def damaged(buffer, name, change):
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, change(content) if item.filename == name else content)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    "name, change, message",
    [
        ("data.json", lambda b: b.replace(b"Non-discriminatie", b"Discriminatie", 1), "klopt niet met de controlesom"),
        ("media/publicaties/kinderrechten-in-beweging-2024.pdf", lambda b: b + b"x", "klopt niet met zijn controlesom"),
        ("manifest.json", lambda b: b.replace(b'"kib-edition-archive"', b'"iets-anders"'), "Geen editie-archief"),
        (
            "manifest.json",
            lambda b: b.replace(b'"migrations": [', b'"migrations": [["kib", "9999_uit_de_toekomst"], ', 1),
            "nieuwere KIB",
        ),
    ],
)
def test_import_refuses_a_damaged_or_foreign_archive(edition_2024, name, change, message):
    buffer, _manifest = archive_of(edition_2024)
    PublishedPdf.objects.filter(edition=edition_2024).delete()
    edition_2024.delete()
    before = content_rows()
    with pytest.raises(ArchiveError, match=message):
        import_edition(damaged(buffer, name, change))
    assert content_rows() == before


def test_a_failed_import_leaves_no_rows_and_no_files_behind(edition_2024, media, monkeypatch):
    Edition.objects.exclude(pk=edition_2024.pk).delete()
    buffer, _manifest = archive_of(edition_2024)
    empty_the_database()
    (media / "publicaties" / "kinderrechten-in-beweging-2024.pdf").unlink()
    # The check after loading finds a difference (as it would if a row could not be stored as it was).
    monkeypatch.setattr("kib.ops.archive.reading.edition_fingerprint", lambda edition, using: "anders")
    with pytest.raises(ArchiveError, match="wijkt de inhoud af van het archief"):
        import_edition(buffer)
    assert not any(content_rows().values())
    assert list((media / "publicaties").iterdir()) == []


def test_the_commands_write_and_read_an_archive(edition_2024, tmp_path, capsys):
    path = tmp_path / "kib-2024.zip"
    call_command("export_edition", "2024", str(path))
    assert "kib-2024.zip geschreven" in capsys.readouterr().out
    with pytest.raises(CommandError, match="bestaat al"):
        call_command("export_edition", "2024", str(path))
    with pytest.raises(CommandError, match="Editie 1999 bestaat niet"):
        call_command("export_edition", "1999", str(tmp_path / "x.zip"))
    PublishedPdf.objects.filter(edition=edition_2024).delete()
    edition_2024.delete()

    call_command("import_edition", str(path), "--dry-run")
    assert "Editie 2024 zou inlezen" in capsys.readouterr().out
    assert not Edition.objects.filter(year=2024).exists()

    call_command("import_edition", str(path))
    assert "Editie 2024 ingelezen" in capsys.readouterr().out
    assert Edition.objects.get(year=2024).chapters.count() == 10
    with pytest.raises(CommandError, match="bestaat al; er is niets veranderd"):
        call_command("import_edition", str(path))


def test_links_to_last_years_rows_survive_a_restore_only_while_those_rows_are_unchanged(demo_db):
    """2025's data gaps are carried over from 2024's: the archive finds them again by content."""
    edition = services.start_next_edition(Edition.objects.get(year=2024), by=f.coordinator())
    carried = DataGap.objects.filter(chapter__edition=edition, carried_from__isnull=False).order_by("pk")
    links = list(carried.values_list("description", "carried_from"))
    assert links
    changed_pk = links[0][1]
    lost = sum(1 for _description, target in links if target == changed_pk)
    buffer, manifest = archive_of(edition)
    PublishedPdf.objects.filter(edition=edition).delete()
    edition.delete()

    def restored_links():
        gaps = DataGap.objects.filter(chapter__edition__year=2025, carried_from__isnull=False).order_by("pk")
        return list(gaps.values_list("description", "carried_from"))

    with transaction.atomic():
        report = import_edition(buffer)
        assert restored_links() == links and not report.unlinked
        assert edition_fingerprint(Edition.objects.get(year=2025)) == manifest["fingerprint"]
        transaction.set_rollback(True)

    changed = DataGap.objects.get(pk=changed_pk)
    changed.description += " (bijgewerkt)"
    changed.save()
    buffer.seek(0)
    report = import_edition(buffer)
    assert report.unlinked == {"indicators.datagap.carried_from": lost}
    assert len(restored_links()) == len(links) - lost
