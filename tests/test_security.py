"""Login hardening: lockout after ten wrong passwords, sessions that end, strict production settings."""

import datetime
import json
import logging

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.test_settings import PROD, manage

pytestmark = pytest.mark.django_db
PASSWORD = "een-lang-wachtwoord-2024"
ADMIN = "/admin/"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Many logins per test: a fast hasher (the lockout logic does not depend on the hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def try_login(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": ADMIN})


def events(caplog, name):
    return [r.kv for r in caplog.records if getattr(r, "kv", {}).get("event") == name]


def logged_in(client):
    return client.get(ADMIN).status_code == 200


def test_ten_wrong_passwords_lock_the_account_and_the_lockout_is_logged(client, caplog):
    coordinator = f.coordinator(username="coordinator", password=PASSWORD)
    caplog.set_level(logging.INFO)
    for attempt in range(9):
        assert try_login(client, "coordinator", "fout").status_code == 200, attempt  # the form again
    assert events(caplog, "login_lockout") == []
    assert try_login(client, "coordinator", "fout").status_code == 429
    assert try_login(client, "coordinator", PASSWORD).status_code == 429  # the right password no longer helps
    assert not logged_in(client)
    lockouts = events(caplog, "login_lockout")
    assert lockouts and all(e["user_id"] == coordinator.pk for e in lockouts)
    assert len(events(caplog, "login_failed")) >= 10


def test_the_lockout_page_is_dutch(client):
    f.editor(username="redacteur", password=PASSWORD)
    for _ in range(10):
        response = try_login(client, "redacteur", "fout")
    assert response.status_code == 429
    assert "Account tijdelijk geblokkeerd" in response.content.decode()


def test_the_lockout_holds_for_the_account_from_any_address_and_spares_other_accounts():
    f.coordinator(username="coordinator", password=PASSWORD)
    f.editor(username="redacteur", password=PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        try_login(attacker, "coordinator", "fout")
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert try_login(elsewhere, "coordinator", PASSWORD).status_code == 429
    assert try_login(attacker, "redacteur", PASSWORD).status_code == 302  # same address, other account
    assert logged_in(attacker)


def test_nine_wrong_passwords_then_the_right_one_logs_in_and_starts_the_count_again(client):
    f.coordinator(username="coordinator", password=PASSWORD)
    for _ in range(9):
        try_login(client, "coordinator", "fout")
    assert try_login(client, "coordinator", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        try_login(client, "coordinator", "fout")
    assert try_login(client, "coordinator", PASSWORD).status_code == 302


def test_logs_name_accounts_by_id_never_by_name_or_address(client, caplog):
    f.coordinator(username="geheime-gebruiker", password=PASSWORD, email="persoon@example.org")
    caplog.set_level(logging.DEBUG)
    for _ in range(10):
        try_login(Client(REMOTE_ADDR="203.0.113.9"), "geheime-gebruiker", "fout-wachtwoord")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "AXES" in text and "login_lockout" in text
    for secret in ("geheime-gebruiker", "persoon@example.org", "fout-wachtwoord", "203.0.113.9"):
        assert secret not in text


def test_client_login_needs_the_request_for_axes():
    f.editor(username="redacteur", password=PASSWORD)
    with pytest.raises(AxesBackendRequestParameterRequired):
        Client().login(username="redacteur", password=PASSWORD)
    assert Client().login(request=RequestFactory().get("/"), username="redacteur", password=PASSWORD)


def test_a_deactivated_account_loses_its_session_at_once(client):
    editor = f.editor()
    client.force_login(editor)
    assert logged_in(client)
    editor.is_active = False
    editor.save()
    response = client.get(ADMIN)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_a_new_password_ends_the_other_sessions_but_keeps_the_one_that_changed_it():
    editor = f.editor(password=PASSWORD)
    laptop, phone = Client(), Client()
    laptop.force_login(editor)
    phone.force_login(editor)
    response = laptop.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "nog-een-nieuw-wachtwoord-7",
            "new_password2": "nog-een-nieuw-wachtwoord-7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert logged_in(laptop)
    assert not logged_in(phone)


def test_a_password_set_by_the_administrator_ends_every_session(client):
    editor = f.editor(password=PASSWORD)
    client.force_login(editor)
    editor.set_password("door-de-beheerder-gezet-9")
    editor.save()
    assert not logged_in(client)


def test_sessions_last_a_working_day_not_two_weeks(client, settings):
    f.editor(username="redacteur", password=PASSWORD)
    response = try_login(client, "redacteur", PASSWORD)
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60


def test_a_permission_denial_is_logged_with_user_id_and_path_only(client, caplog):
    editor = f.editor(email="redacteur@example.org")
    client.force_login(editor)
    caplog.set_level(logging.INFO)
    response = client.get(reverse("admin:auth_user_changelist") + "?q=geheim")
    assert response.status_code == 403
    [denial] = events(caplog, "permission_denied")
    assert denial == {
        "event": "permission_denied",
        "method": "GET",
        "path": reverse("admin:auth_user_changelist"),
        "status": 403,
        "duration_ms": denial["duration_ms"],
        "user_id": editor.pk,
    }
    assert not any("geheim" in r.getMessage() or "redacteur@" in r.getMessage() for r in caplog.records)


def test_a_csrf_failure_is_logged_as_a_denial(caplog):
    client = Client(enforce_csrf_checks=True)
    caplog.set_level(logging.INFO)
    assert client.post(reverse("admin:login"), {"username": "x", "password": "y"}).status_code == 403
    assert events(caplog, "permission_denied")[0]["user_id"] is None


def test_production_settings_are_strict():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_AGE', 'X_FRAME_OPTIONS',"
        "'SECURE_REFERRER_POLICY', 'SECURE_CONTENT_TYPE_NOSNIFF', 'AUTHENTICATION_BACKENDS', 'AXES_FAILURE_LIMIT',"
        "'AXES_LOCKOUT_PARAMETERS', 'DEBUG']}))"
    )
    result = manage("shell", "-c", code, **PROD)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SESSION_COOKIE_AGE"] < 14 * 24 * 60 * 60
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["AXES_FAILURE_LIMIT"] == 10 and values["AXES_LOCKOUT_PARAMETERS"] == ["username"]


def test_the_lock_lifts_after_the_cool_off_time_or_when_the_administrator_resets_it(client):
    f.coordinator(username="coordinator", password=PASSWORD)
    for _ in range(10):
        try_login(client, "coordinator", "fout")
    assert try_login(client, "coordinator", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=61))
    assert try_login(client, "coordinator", PASSWORD).status_code == 302
    client.logout()
    for _ in range(10):
        try_login(client, "coordinator", "fout")
    call_command("axes_reset_username", "coordinator", verbosity=0)
    assert try_login(client, "coordinator", PASSWORD).status_code == 302
