"""The editorial cycle in the demo: after the load, 2024 is published and 2025 is in preparation.

Edition 2025 is started from 2024 with ``start_next_edition`` and its chapters are moved
through the workflow by the demo accounts, so the dashboard shows every state: approved,
submitted, changes requested (with comments) and draft, with deadlines around today.
Everything goes through the services (audit trail included); no mail is sent. Runs
once: when 2025 exists, nothing changes.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from kib.models import Edition, Membership
from kib.workflow import notifications, roles, services

# theme number -> (what happens to the chapter, deadline in days from today)
PLAN = {
    1: ("approved", -14),
    2: ("approved", -10),
    3: ("approved", -7),
    4: ("submitted", -3),
    5: ("submitted", 2),
    6: ("changes_requested", 5),
    7: ("changes_requested", 7),
    8: ("draft", -2),
    9: ("draft", 14),
    10: ("draft", 21),
}

REQUESTS = {
    6: (
        "De cijfers over kinderarbeid zijn van 2022; zijn er nieuwere? Graag ook de bron bij figuur 1.",
        "Kan de eerste laatste ontwikkeling korter? Die loopt over twee pagina's.",
    ),
    7: ("De samenvatting noemt nog het coalitieakkoord van 2021; graag actualiseren.",),
}


def assign_roles():
    """Give the demo accounts their groups (idempotent)."""
    roles.sync_roles()
    User = get_user_model()
    groups = {name: Group.objects.get(name=name) for name in roles.ROLES}
    for user in User.objects.filter(username__startswith="redacteur-"):
        user.groups.add(groups[roles.EDITOR])
    for username, role in (("coordinator", roles.COORDINATOR), ("beheerder", roles.ADMINISTRATOR)):
        for user in User.objects.filter(username=username):
            user.groups.add(groups[role])


def run_cycle(report=None):
    """Start 2025 and move its chapters through the workflow; returns the 2025 edition (or None)."""
    User = get_user_model()
    coordinator = User.objects.filter(username="coordinator").first()
    source = Edition.objects.filter(year=2024).first()
    if coordinator is None or source is None:
        return None  # no demo accounts (DEBUG off) or no 2024 edition
    assign_roles()
    if Edition.objects.filter(year=2025).exists():
        return None
    today = timezone.localdate()
    memberships = Membership.objects.filter(user__username__startswith="redacteur-").select_related("user")
    editors = {m.organisation_id: m.user for m in memberships}
    with notifications.muted():
        edition = services.start_next_edition(source, by=coordinator)
        for chapter in edition.chapters.select_related("theme", "edition"):
            step, days = PLAN.get(chapter.theme.number, ("draft", 14))
            chapter.deadline = today + datetime.timedelta(days=days)
            chapter.save(update_fields=["deadline"])
            editor = editors.get(chapter.lead_organisation_id)
            if step == "draft" or editor is None:
                continue
            services.submit_chapter(chapter, by=editor)
            if step == "approved":
                services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)
            elif step == "changes_requested":
                first, *more = REQUESTS[chapter.theme.number]
                services.request_changes(chapter, by=coordinator, comment=first)
                figure, latest = chapter.figures.first(), chapter.latest_developments.first()
                for text, target in zip(more, [latest or figure], strict=False):
                    services.add_comment(chapter, coordinator, text, target=target)
    if report is not None:
        report.add("edities", True)
        report.created["hoofdstukken"] = report.created.get("hoofdstukken", 0) + edition.chapters.count()
    return edition
