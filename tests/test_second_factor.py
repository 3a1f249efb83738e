"""A second factor (django-otp, TOTP) for coordinators and administrators; editors log in with a password."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("otp_on")]

PASSWORD = "geheim-wachtwoord-123"


@pytest.fixture
def otp_on():
    with override_settings(KIB_OTP_REQUIRED=True):
        yield


def code(device):
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()


def wrong(device):
    return f"{(int(code(device)) + 1) % 10**device.digits:0{device.digits}d}"


def login(client, user, token=""):
    return client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": token, "next": reverse("admin:index")},
    )


def index_status(client):
    return client.get(reverse("admin:index")).status_code


def test_an_editor_logs_in_with_the_password_alone(client):
    editor = f.editor(password=PASSWORD)
    assert login(client, editor).status_code == 302
    assert index_status(client) == 200
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_a_coordinator_without_authenticator_enrols_before_any_admin_page_opens(client):
    coordinator = f.coordinator(password=PASSWORD)
    assert login(client, coordinator).status_code == 302
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302 and index["Location"].startswith(reverse("admin:login"))
    assert client.get(index["Location"])["Location"] == reverse("admin:second_factor")
    assert client.get(reverse("admin:themes_chapter_changelist")).status_code == 302  # every admin page

    page = client.get(reverse("admin:second_factor"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "otp-secret" in html
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)

    refused = client.post(reverse("admin:second_factor"), {"otp_token": wrong(device)})
    assert refused.status_code == 200 and "klopt niet" in refused.content.decode()
    assert index_status(client) == 302

    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(reverse("admin:second_factor"), {"otp_token": code(device)}).status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert index_status(client) == 200


def test_an_enrolled_coordinator_needs_the_code_at_login(client):
    coordinator = f.coordinator(password=PASSWORD)
    device = TOTPDevice.objects.create(user=coordinator, name="telefoon", confirmed=True)

    without = login(client, coordinator)
    assert without.status_code == 200 and "code uit je authenticator-app" in without.content.decode()
    assert "_auth_user_id" not in client.session

    wrong_code = login(client, coordinator, wrong(device))
    assert wrong_code.status_code == 200 and "klopt niet" in wrong_code.content.decode()
    assert "_auth_user_id" not in client.session

    device.refresh_from_db()
    device.throttle_reset()
    assert login(client, coordinator, code(device)).status_code == 302
    assert index_status(client) == 200


def test_a_password_session_of_an_enrolled_coordinator_does_not_open_the_admin(client):
    coordinator = f.coordinator(password=PASSWORD)
    TOTPDevice.objects.create(user=coordinator, name="telefoon", confirmed=True)
    client.force_login(coordinator)  # a session without the code, e.g. from before the setting was on
    assert index_status(client) == 302
    assert client.get(reverse("admin:second_factor"))["Location"] == reverse("admin:login")


def test_an_unconfirmed_device_is_not_a_second_factor_at_login(client):
    coordinator = f.coordinator(password=PASSWORD)
    device = TOTPDevice.objects.create(user=coordinator, name="half ingesteld", confirmed=False)
    assert login(client, coordinator, code(device)).status_code == 302
    assert index_status(client) == 302  # still sent to enrolment, not into the admin


def test_wrong_codes_count_towards_the_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    coordinator = f.coordinator(password=PASSWORD)
    device = TOTPDevice.objects.create(user=coordinator, name="telefoon", confirmed=True)
    for _ in range(3):
        device.refresh_from_db()
        device.throttle_reset()
        login(client, coordinator, wrong(device))
    device.refresh_from_db()
    device.throttle_reset()
    assert login(client, coordinator, code(device)).status_code == 429  # locked out, even with the right code
    assert index_status(client) == 302


def test_without_the_setting_a_coordinator_logs_in_with_the_password(client):
    coordinator = f.coordinator(password=PASSWORD)
    with override_settings(KIB_OTP_REQUIRED=False):
        assert login(client, coordinator).status_code == 302
        assert index_status(client) == 200
        assert 'name="otp_token"' not in client.get(reverse("admin:login")).content.decode()
