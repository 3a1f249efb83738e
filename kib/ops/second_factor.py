"""A second factor for the people who can approve and publish: coordinators and administrators.

django-otp with time-based codes (TOTP, any authenticator app). With ``KIB_OTP_REQUIRED`` on
(the default in production; off in the demo and the tests unless a test switches it on):

- the admin login asks coordinators and administrators for the six-digit code of their
  authenticator app next to their password; a wrong code counts as a failed login for
  django-axes (ten lock the account) on top of django-otp's own growing delay per device;
- somebody who has no authenticator yet logs in with the password and is sent to the
  enrolment page before any admin page opens: scan the QR code, type one code, done;
- the admin opens only to sessions verified that way (``KibAdminSite.has_permission``).

Editors are not asked: they cannot approve or publish anything. An administrator resets a
lost phone by deleting the person's device under "TOTP devices"; the next login enrols anew.
"""

import base64
import logging

import segno
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kib.ops.logs import log_event

logger = logging.getLogger("kib.security")


def enabled():
    return settings.KIB_OTP_REQUIRED


def needs_second_factor(user):
    """Whether ``user`` must show a code: an active staff member who may approve or publish."""
    if not (enabled() and user is not None and user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.has_perm("workflow.review_chapter") or user.has_perm("workflow.publish_edition")


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def satisfied(request):
    """The session may use the admin: no second factor needed, or verified with one."""
    user = request.user
    if not needs_second_factor(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def must_enrol(request):
    """Logged in with the password, needs a second factor, and has no authenticator yet."""
    return not satisfied(request) and confirmed_device(request.user) is None


class KibAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login: user name, password and, for coordinators and administrators, the code."""

    otp_token = forms.CharField(
        label=gettext_lazy("Code uit je authenticator-app"),
        required=False,
        max_length=8,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
        help_text=gettext_lazy("Alleen voor coördinatoren en beheerders."),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if not needs_second_factor(user):
            return cleaned
        device = confirmed_device(user)
        if device is None:
            return cleaned  # the first login: the enrolment page follows before the admin opens
        token = cleaned.get("otp_token") or ""
        if not token:
            raise ValidationError(_("Vul ook de code uit je authenticator-app in."), code="otp_required")
        allowed, _details = device.verify_is_allowed()
        if not allowed or not device.verify_token(token):
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=self.request
            )
            log_event(logger, "second_factor_failed", level=logging.WARNING, user_id=user.pk)
            if not allowed:
                raise ValidationError(_("Te veel foute codes achter elkaar; wacht even en probeer het opnieuw."))
            raise ValidationError(_("Deze code klopt niet of is verlopen; probeer de volgende."), code="otp_invalid")
        user.otp_device = device  # django-otp marks the session verified when the login completes
        return cleaned


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code uit je authenticator-app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


def _next_url(request, admin_site):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(f"{admin_site.name}:index")


def enrol_view(admin_site):
    """The page that links an authenticator app to the account (the first login with a second factor)."""

    @never_cache
    @csrf_protect
    def enrol(request):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect(f"{reverse(f'{admin_site.name}:login')}?next={request.path}")
        if satisfied(request):
            return redirect(_next_url(request, admin_site))
        if confirmed_device(user) is not None:  # enrolled already: log in with a code
            return redirect(reverse(f"{admin_site.name}:login"))
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=_("Authenticator-app"), confirmed=False)
        form = EnrolForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["otp_token"].strip()):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                log_event(logger, "second_factor_enrolled", user_id=user.pk)
                return redirect(_next_url(request, admin_site))
            log_event(logger, "second_factor_failed", level=logging.WARNING, user_id=user.pk)
            form.add_error("otp_token", _("Deze code klopt niet of is verlopen; probeer de volgende."))
        secret = base64.b32encode(device.bin_key).decode()
        context = {
            **admin_site.each_context(request),
            "title": _("Tweestapsverificatie instellen"),
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d3557"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request, admin_site),
        }
        return TemplateResponse(request, "admin/kib/second_factor.html", context)

    return enrol
