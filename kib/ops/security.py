"""Security events in the log: logins, failed logins, lockouts. Only user ids, never names or addresses.

Login throttling is django-axes (see the settings block "Production"): ten failed logins for
one user name lock that account for ``KIB_LOCKOUT_MINUTES``. django-axes writes its own log
lines too; ``axes_client_str`` makes them name the account by its id instead of the user
name, IP address and browser that it would show by default.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from kib.ops.logs import log_event
from kib.ops.middleware import MAX_PATH

logger = logging.getLogger("kib.security")


def user_id_for(username):
    """The id of the account with this user name, or None (the name itself is not logged)."""
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).values_list("pk", flat=True).first()


def _path(request):
    return request.path[:MAX_PATH] if request is not None else None


def axes_client_str(username, ip_address, user_agent, path_info, request):
    """How django-axes names a client in its log lines: the account id only."""
    return f"user_id={user_id_for(username) or '-'}"


def on_login(sender, request, user, **kwargs):
    log_event(logger, "login", user_id=user.pk, path=_path(request))


def on_logout(sender, request, user, **kwargs):
    log_event(logger, "logout", user_id=getattr(user, "pk", None), path=_path(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    log_event(
        logger,
        "login_failed",
        level=logging.WARNING,
        user_id=user_id_for(credentials.get(User.USERNAME_FIELD) or credentials.get("username")),
        path=_path(request),
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    log_event(logger, "login_lockout", level=logging.WARNING, user_id=user_id_for(username), path=_path(request))


def connect_signals():
    from axes.signals import user_locked_out

    user_logged_in.connect(on_login, dispatch_uid="kib.ops.login")
    user_logged_out.connect(on_logout, dispatch_uid="kib.ops.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="kib.ops.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="kib.ops.locked_out")
