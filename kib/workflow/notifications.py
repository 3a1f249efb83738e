"""E-mail about the workflow, through Django's mail backend, sent after the commit.

On submit the coordinators hear of it; on changes requested, approval and reopening the
chapter's editors (members of its lead and contributing organisations) do.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kib.workflow import roles
from kib.workflow.scoping import is_coordinator

_muted = contextvars.ContextVar("kib_workflow_mail_muted", default=False)


@contextmanager
def muted():
    """No mail for what happens inside (the demo builds its cycle with it)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _users():
    return get_user_model().objects.filter(is_active=True).exclude(email="")


def coordinators():
    return _users().filter(groups__name=roles.COORDINATOR).distinct()


def chapter_editors(chapter):
    orgs = [chapter.lead_organisation_id, *chapter.contributing_organisations.values_list("pk", flat=True)]
    return _users().filter(groups__name=roles.EDITOR, memberships__organisation__in=orgs).distinct()


def chapter_url(chapter):
    return settings.KIB_SITE_URL.rstrip("/") + reverse("admin:themes_chapter_change", args=[chapter.pk])


def send(recipients, subject, body, exclude=None):
    """Queue one mail per recipient, sent when the current transaction commits."""
    if _muted.get():
        return
    addresses = sorted({u.email for u in recipients if exclude is None or u.pk != exclude.pk})
    if not addresses:
        return
    messages = [(f"[KIB] {subject}", body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def _body(chapter, by, text, comment=""):
    lines = [text, "", f"{chapter}", chapter_url(chapter)]
    if comment:
        lines[1:1] = ["", comment]
    lines += ["", _("— %(name)s, via KIB") % {"name": by.get_full_name() or by.get_username()}]
    return "\n".join(lines)


def chapter_submitted(chapter, by):
    send(
        coordinators(),
        _("Ingediend: %(chapter)s") % {"chapter": chapter},
        _body(chapter, by, _("Dit hoofdstuk is ingediend en wacht op uw beoordeling.")),
        exclude=by,
    )


def changes_requested(chapter, by, comment):
    send(
        chapter_editors(chapter),
        _("Wijzigingen gevraagd: %(chapter)s") % {"chapter": chapter},
        _body(chapter, by, _("De coördinator vraagt wijzigingen in dit hoofdstuk:"), comment),
        exclude=by,
    )


def chapter_approved(chapter, by):
    send(
        chapter_editors(chapter),
        _("Goedgekeurd: %(chapter)s") % {"chapter": chapter},
        _body(chapter, by, _("Dit hoofdstuk is goedgekeurd. Dank u wel!")),
        exclude=by,
    )


def chapter_reopened(chapter, by):
    send(
        chapter_editors(chapter),
        _("Heropend: %(chapter)s") % {"chapter": chapter},
        _body(chapter, by, _("Dit hoofdstuk is heropend en staat weer op concept.")),
        exclude=by,
    )


def comment_added(chapter, by, comment):
    recipients = chapter_editors(chapter) if is_coordinator(by) else coordinators()
    send(
        recipients,
        _("Opmerking bij %(chapter)s") % {"chapter": chapter},
        _body(chapter, by, _("Er is een opmerking geplaatst:"), comment.text),
        exclude=by,
    )


def edition_published(edition, by):
    body = _("%(edition)s is gepubliceerd. De PDF wordt nu gemaakt.") % {"edition": edition}
    send(coordinators(), _("Gepubliceerd: %(edition)s") % {"edition": edition}, body, exclude=by)


def reminder(recipients, chapter, text):
    send(
        recipients,
        _("Herinnering: %(chapter)s") % {"chapter": chapter},
        "\n".join([text, "", str(chapter), chapter_url(chapter)]),
    )
