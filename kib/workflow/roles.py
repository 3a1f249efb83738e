"""The three roles as groups with permissions: editor, coordinator, administrator.

The groups are created by migration ``workflow.0002_roles`` and kept complete after
every later migrate (``sync_roles`` is idempotent and only adds what is missing from
the lists below). Which chapters a role reaches is decided in ``scoping.py``.
"""

from themes import parts

EDITOR = "redacteur"
COORDINATOR = "coördinator"
ADMINISTRATOR = "beheerder"

ALL = ("add", "change", "delete", "view")
# The parts of a chapter (``themes.parts``), per app: whoever edits a chapter edits all of them.
CHAPTER_PARTS = {app: {model: ALL for model in parts.of_app(app)} for app in ("themes", "indicators")}

_EDITOR = {
    "themes": {"theme": ["view"], "chapter": ["view", "change"], **CHAPTER_PARTS["themes"]},
    "indicators": {
        "indicator": ["view", "add", "change"],
        "observation": ALL,
        **CHAPTER_PARTS["indicators"],
        "importlog": ["view"],
    },
    "kib": {"edition": ["view"], "source": ["view", "add", "change"]},
    "recommendations": {"concludingobservations": ["view"], "recommendation": ["view"]},
    "workflow": {"auditentry": ["view", "submit_chapter"], "editioncorrection": ["view"]},
}
_COORDINATOR = {
    "themes": {"theme": ALL, "chapter": ALL, **CHAPTER_PARTS["themes"]},
    "indicators": {
        "indicator": ALL,
        "observation": ALL,
        **CHAPTER_PARTS["indicators"],
        "importlog": ["view"],
    },
    "kib": {"edition": ALL, "source": ALL, "organisation": ["view"], "membership": ["view"]},
    "recommendations": {"concludingobservations": ALL, "recommendation": ALL},
    "workflow": {
        "auditentry": ["view", "see_all_chapters", "submit_chapter", "review_chapter", "publish_edition"],
        "editioncorrection": ["view"],
    },
}
_ADMINISTRATOR = {
    "auth": {"user": ALL, "group": ["view"]},
    "kib": {"organisation": ALL, "membership": ALL, "edition": ["view"], "source": ["view"]},
    "themes": {"theme": ["view"], "chapter": ["view"]},
    "recommendations": {"concludingobservations": ["view"], "recommendation": ["view"]},
    "workflow": {"auditentry": ["view", "see_all_chapters"], "editioncorrection": ["view"]},
}
ROLES = {EDITOR: _EDITOR, COORDINATOR: _COORDINATOR, ADMINISTRATOR: _ADMINISTRATOR}


def _codenames(spec):
    for app_label, models in spec.items():
        for model, actions in models.items():
            for action in actions:
                codename = action if action not in ALL else f"{action}_{model}"
                yield app_label, model, codename


def sync_roles(apps=None):
    """Create the role groups and give them their permissions (only adds, never removes)."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, spec in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = {(app, codename) for app, _model, codename in _codenames(spec)}
        perms = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}, codename__in={c for _, c in wanted}
        ).select_related("content_type")
        group.permissions.add(*[p for p in perms if (p.content_type.app_label, p.codename) in wanted])


def sync_roles_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    if app_config is not None and app_config.label == "workflow":
        sync_roles(apps)
