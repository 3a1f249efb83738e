"""A failed build heals itself and a damaged file is never served (issue 14).

- A build renews its lease (a heartbeat) while it runs; the watchdog queues a build whose
  worker died again, or fails it with the reason after KIB_PDF_MAX_ATTEMPTS runs. A real
  ``manage.py db_worker`` is killed with SIGKILL in the middle of a build; the next worker
  finishes it, and meanwhile the previous PDF is served.
- A stored PDF's size and SHA-256 are checked before it is served; a damaged or missing file
  answers 503, is logged, shows on /healthz and in the admin, and is rebuilt without a person.
- A full disk during a build fails that build cleanly and keeps the previous PDF.
"""

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.db.models import F
from django.test import modify_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kib.publication import services
from kib.publication.models import PdfBuild, PublishedPdf
from kib.publication.services import (
    PdfBuildFailed,
    build_published_pdf,
    build_published_pdf_now,
    recover_stalled_builds,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KIB_PDF_PREVIEW_ROOT = tmp_path / "previews"
    services._verified.clear()
    return settings.MEDIA_ROOT


def published_edition(year=2025):
    edition = f.edition(year=year, title="Kinderrechten in Beweging")
    f.full_chapter(edition, f.theme(), recommendations=[f.recommendation("15b")])
    return f.publish(edition)


def pdf_url(year=2025):
    return reverse("public:edition_pdf", args=[year])


def downloaded(response):
    return b"".join(response.streaming_content)


def lost_worker(build, minutes=120):
    """Make ``build`` look like a worker claimed it ``minutes`` ago and died (no heartbeat since)."""
    then = timezone.now() - timedelta(minutes=minutes)
    PdfBuild.objects.filter(pk=build.pk).update(
        status=PdfBuild.Status.RUNNING, started_at=then, heartbeat_at=then, attempts=build.attempts + 1
    )
    DBTaskResult.objects.filter(id=build.task_id).update(status=TaskResultStatus.RUNNING, started_at=then)
    build.refresh_from_db()
    return build


# -- builds whose worker died ------------------------------------------------------------------


def test_a_build_whose_worker_died_shows_on_healthz_and_is_queued_again(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    build = build_published_pdf(published_edition())
    watchdog = DBTaskResult.objects.get(task_path="kib.publication.services.watch_build")
    assert watchdog.args_kwargs["args"] == [build.pk] and watchdog.run_after > timezone.now()
    lost_worker(build)

    body = client.get("/healthz").json()
    assert body["status"] == "fail"
    assert body["checks"]["builds"]["stalled"] == [build.pk]
    assert body["checks"]["queue"]["running_too_long"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stalled_builds() == [build]
    orphan = DBTaskResult.objects.get(id=build.task_id)
    build.refresh_from_db()
    assert build.status == PdfBuild.Status.QUEUED
    assert "De worker stopte tijdens poging 1" in build.error and "Opnieuw in de wachtrij" in build.error
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED and "De worker stopte" in orphan.traceback
    again = DBTaskResult.objects.filter(task_path="kib.publication.services.build_pdf", status=TaskResultStatus.READY)
    assert [task.args_kwargs["args"] for task in again] == [[build.pk]]
    assert build.task_id == str(again[0].id)
    assert client.get("/healthz").json()["checks"]["builds"]["ok"]


def test_a_build_that_keeps_losing_its_worker_fails_with_the_reason(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.KIB_PDF_MAX_ATTEMPTS = 2
    build = build_published_pdf(published_edition())
    build.attempts = 1
    lost_worker(build)
    recover_stalled_builds()
    build.refresh_from_db()
    assert build.status == PdfBuild.Status.FAILED
    assert "Na 2 pogingen opgegeven" in build.error
    body = client.get("/healthz").json()
    assert body["checks"]["pdfs"]["failed_without_pdf"] == [2025] and body["status"] == "fail"


def test_a_fresh_heartbeat_is_left_alone_and_two_workers_never_run_one_build():
    build = PdfBuild.objects.create(edition=published_edition(), kind=PdfBuild.Kind.PUBLISHED)
    assert services._claim(build) is True
    assert (build.status, build.attempts) == (PdfBuild.Status.RUNNING, 1)
    assert services._claim(PdfBuild.objects.get(pk=build.pk)) is False  # a second worker
    services.run_build(PdfBuild.objects.get(pk=build.pk))  # a duplicate task: does nothing
    assert not PublishedPdf.objects.exists()
    assert recover_stalled_builds() == []
    assert PdfBuild.objects.get(pk=build.pk).status == PdfBuild.Status.RUNNING


def test_the_admin_shows_a_stalled_build(client, settings):
    settings.TASKS = DATABASE_TASKS
    build = lost_worker(build_published_pdf(published_edition()))
    client.force_login(f.coordinator())
    page = client.get(reverse("admin:publication_pdfbuild_changelist")).content.decode()
    assert "vastgelopen: de worker geeft geen hartslag meer" in page
    detail = client.get(reverse("admin:publication_pdfbuild_change", args=[build.pk])).content.decode()
    assert "laatste hartslag" in detail.lower()


# -- checking the stored file --------------------------------------------------------------------


def truncate(pdf, size=1000):
    path = Path(pdf.file.path)
    data = path.read_bytes()
    path.write_bytes(data[:size])
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))


def test_a_truncated_pdf_answers_503_is_logged_and_rebuilt(client, caplog, django_capture_on_commit_callbacks):
    pdf = build_published_pdf_now(published_edition())
    assert client.get(pdf_url()).status_code == 200
    truncate(pdf)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(pdf_url())
    assert response.status_code == 503
    assert response["Retry-After"] == "300" and response["Content-Type"].startswith("text/html")
    assert "tijdelijk niet beschikbaar" in response.content.decode()
    assert any("event=pdf_damaged" in r.getMessage() and "edition=2025" in r.getMessage() for r in caplog.records)

    pdf.refresh_from_db()  # the repair build ran (tasks run at once in the tests)
    assert (pdf.version, pdf.is_current, pdf.damaged_at) == (1, True, None) and pdf.repaired_at
    repair = PdfBuild.objects.get(repairs=pdf)
    assert repair.status == PdfBuild.Status.DONE
    data = downloaded(client.get(pdf_url()))
    assert hashlib.sha256(data).hexdigest() == pdf.sha256 and len(data) == pdf.size and data.startswith(b"%PDF")


def test_a_damaged_pdf_shows_on_healthz_and_in_the_admin(client):
    pdf = build_published_pdf_now(published_edition())
    assert client.get("/healthz").json()["checks"]["pdfs"]["ok"]
    path = Path(pdf.file.path)
    data = bytearray(path.read_bytes())
    data[500] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))

    body = client.get("/healthz").json()
    assert body["status"] == "fail"
    assert body["checks"]["pdfs"]["damaged"] == [
        "2025 v1: De SHA-256 van het bestand klopt niet met die bij de publicatie."
    ]
    client.force_login(f.coordinator())
    page = client.get(reverse("admin:publication_publishedpdf_changelist")).content.decode()
    assert "beschadigd sinds" in page and "SHA-256 van het bestand klopt niet" in page


def test_a_missing_file_answers_503(client):
    pdf = build_published_pdf_now(published_edition())
    Path(pdf.file.path).unlink()
    assert client.get(pdf_url()).status_code == 503
    pdf.refresh_from_db()
    assert pdf.damage.startswith("Het bestand ontbreekt")


def test_each_file_is_hashed_once_per_process(client, monkeypatch):
    pdf = build_published_pdf_now(published_edition())
    calls = []
    sha256 = services._sha256
    monkeypatch.setattr(services, "_sha256", lambda *args: calls.append(args) or sha256(*args))
    for _ in range(3):
        assert downloaded(client.get(pdf_url())) == pdf.file.open("rb").read()
    assert len(calls) == 1


class FullDiskStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_fails_the_build_cleanly_and_keeps_the_previous_pdf(client, settings):
    edition = published_edition()
    first = build_published_pdf_now(edition)
    previous = downloaded(client.get(pdf_url()))
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {"BACKEND": "tests.test_pdf_healing.FullDiskStorage", "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }
    with pytest.raises(PdfBuildFailed) as excinfo:
        build_published_pdf_now(edition)
    assert "De schijf is vol (ENOSPC); de vorige pdf blijft staan" in excinfo.value.build.error
    assert list(PublishedPdf.objects.filter(edition=edition)) == [first]
    assert sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "publicaties").iterdir()) == [first.filename]
    first.refresh_from_db()
    assert first.is_current and first.damaged_at is None
    assert downloaded(client.get(pdf_url())) == previous


# -- a real worker killed in the middle of a build ----------------------------------------------------


def start_worker(tmp_path, name, slow=0):
    env = {
        **os.environ,
        "KIB_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "KIB_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
        "KIB_MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "KIB_PDF_PREVIEW_ROOT": str(django_settings.KIB_PDF_PREVIEW_ROOT),
        "KIB_PDF_LEASE_SECONDS": str(django_settings.KIB_PDF_LEASE_SECONDS),
        "KIB_WORKER_SLOW_BUILD": str(slow),
    }
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(condition, seconds, what, workers=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            assert worker.poll() is None, f"the worker stopped while waiting for {what}"
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {seconds} s")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_build_is_replaced_and_the_next_one_stores_the_pdf(client, settings, tmp_path):
    settings.KIB_PDF_LEASE_SECONDS = 2
    edition = published_edition()
    previous = build_published_pdf_now(edition)  # version 1, served while version 2 is being built
    settings.TASKS = DATABASE_TASKS
    build = build_published_pdf(edition)  # a correction's build: queued for the worker, with its watchdog

    first = start_worker(tmp_path, "first", slow=120)
    try:
        wait_for(
            lambda: PdfBuild.objects.filter(
                pk=build.pk, status=PdfBuild.Status.RUNNING, heartbeat_at__gt=F("started_at")
            ).exists(),
            60,
            "renewed heartbeat of the running build",
            [first],
        )
        assert PdfBuild.objects.get(pk=build.pk).status == PdfBuild.Status.RUNNING
        response = client.get(pdf_url())  # meanwhile: the previous PDF
        assert response.status_code == 200 and response["ETag"] == f'"{previous.sha256}"'
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and anything it started
        first.wait(timeout=10)
    running = PdfBuild.objects.get(pk=build.pk)
    assert running.status == PdfBuild.Status.RUNNING and running.attempts == 1
    killed_task = running.task_id

    second = start_worker(tmp_path, "second")
    try:
        wait_for(
            lambda: PdfBuild.objects.filter(pk=build.pk, status=PdfBuild.Status.DONE).exists(),
            90,
            "finished build after the restart",
            [second],
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    build.refresh_from_db()
    assert build.attempts == 2 and "De worker stopte tijdens poging 1" not in (build.error or "")
    current = PublishedPdf.objects.get(edition=edition, is_current=True)
    assert current.version == 2 and build.published_pdf == current
    data = downloaded(client.get(pdf_url()))
    assert hashlib.sha256(data).hexdigest() == current.sha256 and data.startswith(b"%PDF")
    assert DBTaskResult.objects.get(id=killed_task).status == TaskResultStatus.FAILED  # the killed one, closed
    assert DBTaskResult.objects.get(id=build.task_id).status == TaskResultStatus.SUCCESSFUL
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()


@modify_settings(MIDDLEWARE={"remove": "kib.publication.middleware.PdfDownloadMiddleware"})
def test_the_plain_view_checks_the_file_too(client):
    pdf = build_published_pdf_now(published_edition())
    truncate(pdf, size=10)
    response = client.get(pdf_url())
    assert response.status_code == 503 and "tijdelijk niet beschikbaar" in response.content.decode()
    pdf.refresh_from_db()
    assert pdf.damage == f"Het bestand is 10 bytes, opgeslagen als {pdf.size} bytes."
