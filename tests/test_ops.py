"""Running in production: the request log, the health check, the log format, media on S3."""

import datetime
import json
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kib.ops.logs import KeyValueFormatter, RequestIdFilter, format_fields, log_event
from kib.workflow import services
from tests import factories as f
from tests.test_settings import PROD, manage

pytestmark = pytest.mark.django_db


def events(caplog, name):
    return [r.kv for r in caplog.records if getattr(r, "kv", {}).get("event") == name]


# -- the request log ------------------------------------------------------------------------


def test_every_request_gives_one_line_with_method_path_status_duration_user_and_request_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/ping?zoek=kinderen")
    [line] = events(caplog, "request")
    assert line["method"] == "GET" and line["path"] == "/ping" and line["status"] == 200
    assert line["user_id"] is None and line["duration_ms"] >= 0
    assert response["X-Request-ID"]
    record = next(r for r in caplog.records if getattr(r, "kv", {}).get("event") == "request")
    assert record.request_id == response["X-Request-ID"]
    assert "zoek" not in record.getMessage()


def test_a_logged_in_request_names_the_user_by_id(client, caplog):
    editor = f.editor(email="redacteur@example.org")
    client.force_login(editor)
    caplog.set_level(logging.INFO)
    client.get("/admin/")
    [line] = events(caplog, "request")
    assert line["user_id"] == editor.pk and line["status"] == 200
    assert "redacteur@example.org" not in caplog.text and editor.username not in caplog.text


def test_a_request_id_from_the_proxy_is_kept_and_a_malformed_one_replaced(client, caplog):
    assert client.get("/ping", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == "proxy-1234abcd"
    replaced = client.get("/ping", HTTP_X_REQUEST_ID="bad id\nwith=junk")["X-Request-ID"]
    assert replaced != "bad id\nwith=junk" and len(replaced) == 32


def test_lines_are_key_value_pairs_on_one_line():
    assert format_fields({"a": 1, "b": "twee woorden", "c": None, "d": 'x="y"\nz'}) == (
        'a=1 b="twee woorden" c=- d="x=\\"y\\"\\nz"'
    )
    record = logging.LogRecord("kib.test", logging.WARNING, __file__, 1, "hallo wereld", (), None)
    RequestIdFilter().filter(record)
    line = KeyValueFormatter().format(record)
    assert "level=WARNING logger=kib.test request_id=- " in line and line.endswith('msg="hallo wereld"')
    assert "\n" not in line


def test_the_configured_handler_writes_key_value_lines():
    handler = settings.LOGGING["handlers"]["stderr"]
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"] == "kib.ops.logs.KeyValueFormatter"
    assert settings.MIDDLEWARE[0] == "kib.ops.middleware.RequestLogMiddleware"


def test_a_workflow_transition_gives_one_line_after_commit(caplog, django_capture_on_commit_callbacks):
    cast = f.workflow_cast()
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    [line] = events(caplog, "transition")
    assert line == {
        "event": "transition",
        "action": "submit",
        "object": "themes.chapter",
        "object_id": cast.chapter_a.pk,
        "from_state": "draft",
        "to_state": "submitted",
        "user_id": cast.editor_a.pk,
    }


def test_a_transition_that_is_rolled_back_leaves_no_line(caplog, django_capture_on_commit_callbacks):
    cast = f.workflow_cast()
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    assert callbacks and events(caplog, "transition") == []


# -- the health check -----------------------------------------------------------------------


def enqueue(age_seconds, status="READY"):
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kib.publication.tasks.build_pdf",
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - datetime.timedelta(seconds=age_seconds))
    return row


def test_health_is_ok_with_the_database_up_and_an_empty_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["queue"]["ready"] == 0
    assert "no-cache" in response["Cache-Control"]


def test_health_stays_ok_while_a_task_waits_a_short_time(client):
    enqueue(age_seconds=30)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["checks"]["queue"]["ready"] == 1
    assert 25 <= body["checks"]["queue"]["oldest_ready_seconds"] < 60


def test_health_fails_when_a_task_waits_longer_than_the_limit(client, settings):
    settings.KIB_HEALTH_QUEUE_MAX_AGE = 600
    enqueue(age_seconds=30)
    enqueue(age_seconds=900)
    enqueue(age_seconds=5000, status="SUCCESSFUL")  # finished tasks do not count
    response = client.get("/healthz")
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False and queue["ready"] == 2 and queue["oldest_ready_seconds"] >= 900


def test_health_fails_when_the_database_does_not_answer(client):
    with mock.patch("kib.ops.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["queue"]["ok"] is False


# -- settings for a server ------------------------------------------------------------------

S3 = {
    "KIB_S3_BUCKET": "kib-media",
    "KIB_S3_ENDPOINT_URL": "https://s3.example.org",
    "KIB_S3_REGION": "nl-ams",
    "KIB_S3_ACCESS_KEY_ID": "sleutel",
    "KIB_S3_SECRET_ACCESS_KEY": "geheim",
    "KIB_S3_PREFIX": "/kib/",
}


def storage_of(**env):
    code = (
        "import json; from django.core.files.storage import default_storage as s; s._setup();"
        "w = s._wrapped; print(json.dumps([type(w).__module__ + '.' + type(w).__name__,"
        " getattr(w, 'bucket_name', None), getattr(w, 'endpoint_url', None), getattr(w, 'location', None),"
        " getattr(w, 'default_acl', None), getattr(w, 'querystring_auth', None)]))"
    )
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_media_stays_on_disk_without_a_bucket():
    assert storage_of(**PROD)[0] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_media_goes_to_s3_compatible_storage_when_a_bucket_is_set():
    assert storage_of(**PROD, **S3) == [
        "storages.backends.s3.S3Storage",
        "kib-media",
        "https://s3.example.org",
        "kib",
        "private",
        True,
    ]


def test_half_an_s3_key_pair_stops_start_up():
    result = manage("check", **PROD, **{k: v for k, v in S3.items() if k != "KIB_S3_SECRET_ACCESS_KEY"})
    assert result.returncode != 0
    assert "Set both KIB_S3_ACCESS_KEY_ID and KIB_S3_SECRET_ACCESS_KEY" in result.stderr


def test_the_deploy_check_passes_with_s3_media_too():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PROD, **S3)
    assert result.returncode == 0, result.stderr + result.stdout


def test_log_event_accepts_a_logger_name(caplog):
    caplog.set_level(logging.INFO)
    log_event("kib.test", "iets", aantal=3)
    assert events(caplog, "iets") == [{"event": "iets", "aantal": 3}]
