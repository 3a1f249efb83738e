"""Remind people of chapters near or past their deadline.

Drafts: the chapter's editors are reminded. Submitted chapters: the coordinators are,
since the review is what waits. Safe to rerun: a chapter gets at most one reminder a
day (each is written to the audit log). ``--dry-run`` only lists what would be sent.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kib.workflow import dashboard, notifications
from kib.workflow.models import AuditEntry
from kib.workflow.services import audit, chapters_due
from themes.models import Chapter


class Command(BaseCommand):
    help = "Stuur herinneringen voor hoofdstukken waarvan de deadline nadert of verstreken is."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Herinner zoveel dagen vóór de deadline (standaard 7).")
        parser.add_argument("--dry-run", action="store_true", help="Laat zien wie een herinnering zou krijgen.")

    def handle(self, *args, days, dry_run, verbosity=1, **options):
        today = timezone.localdate()
        start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        sent = 0
        with transaction.atomic():
            for chapter in dashboard.with_status(chapters_due(today, days)):
                if (
                    AuditEntry.objects.for_object(chapter)
                    .filter(action=AuditEntry.Action.REMINDER, at__gte=start_of_day)
                    .exists()
                ):
                    continue
                late = chapter.deadline < today
                if chapter.state == Chapter.State.DRAFT:
                    recipients = notifications.chapter_editors(chapter)
                    text = (
                        _("De deadline van dit hoofdstuk was %(date)s (%(when)s); dien het zo snel mogelijk in.")
                        if late
                        else _("De deadline van dit hoofdstuk is %(date)s (%(when)s); vergeet niet het in te dienen.")
                    )
                    if dashboard.status(chapter) == dashboard.CHANGES_REQUESTED:
                        text = _("Status: wijzigingen gevraagd; zie de opmerkingen bij het hoofdstuk.") + " " + text
                else:
                    recipients = notifications.coordinators()
                    text = _("Dit ingediende hoofdstuk wacht op beoordeling (deadline %(date)s, %(when)s).")
                recipients = list(recipients)
                text = text % {
                    "date": chapter.deadline.strftime("%d-%m-%Y"),
                    "when": dashboard.deadline_text(chapter.deadline, chapter.state, today),
                }
                if verbosity:
                    who = ", ".join(u.email for u in recipients) or _("niemand (geen e-mailadres)")
                    self.stdout.write(f"{chapter}: {who}")
                if not dry_run and recipients:
                    notifications.reminder(recipients, chapter, text)
                    audit(chapter, None, AuditEntry.Action.REMINDER, comment=text)
                    sent += 1
        if verbosity:
            self.stdout.write(
                _("%(count)s herinnering(en) verstuurd.") % {"count": sent}
                if not dry_run
                else _("Niets verstuurd (--dry-run).")
            )
