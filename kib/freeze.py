"""Frozen means frozen: what a published edition shows changes only through a correction.

A published edition without an open correction is *frozen* (``kib.workflow.scoping.frozen_editions``).
Its own chapters and their parts are read-only in the admin. The rows it *shares* with other
editions are guarded here, at the model level, so every path is covered — an admin form, an
inline, a bulk action, a delete and its cascade, ``QuerySet.update()``, the shell:

========================  ===================================================  =====================================
row                       drawn by a frozen edition when                        guarded (rename, edit)
========================  ===================================================  =====================================
indicator                 a chart series or headline series of its chapters     theme, code, name, unit, definition,
                          uses it                                               sources
observation               public, of such an indicator                          indicator, period, territory, sex, age
                                                                                group, breakdown, public (made public
                                                                                only by a publication)
chart, chart series       of a figure of its chapters                           every field
headline series           of one of its chapters                                every field
source                    cited by its chapters, or a source of its indicators  url, publisher, title, dates
recommendation            of the concluding observations it follows, or listed  code, text, theme, concluding
                          in its chapters                                       observations
concluding observations   it follows them                                       symbol, title, date, url
theme                     one of its chapters is of that theme                  number, title, nav label, slug
organisation              it leads one of its chapters                          name, short name
========================  ===================================================  =====================================

Changing a guarded field of such a row raises ``FrozenEdition`` (a ``ValidationError``), deleting
it ``FrozenEditionProtected`` (a ``ProtectedError``, as a PROTECT foreign key would), each with a
Dutch message that says to ask for a correction. Deleting a whole edition takes its own rows along.
What stays free: every row no frozen edition draws; new rows; and, for a public observation, its value, flag and
note — the public keeps seeing the published ones (``Observation.as_published``) until the next
publication, so editors keep working on next year's numbers.

The admin asks ``refusal()`` and ``refusal_to_delete()`` first, so that a form shows the message
instead of an error page (``kib.admin_base``).
"""

import contextvars
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, Q
from django.db.models.signals import m2m_changed, post_init, post_save, pre_delete, pre_save
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ORIGINAL = "_kib_frozen_original"
_publishing = contextvars.ContextVar("kib_freeze_publishing", default=frozenset())


@contextmanager
def publishing(edition):
    """The publication's own steps (pinning its charts' periods) write to the edition it freezes."""
    token = _publishing.set(_publishing.get() | {edition.pk})
    try:
        yield
    finally:
        _publishing.reset(token)


class FrozenEdition(ValidationError):
    """A change to a row that a frozen edition shows."""


class FrozenEditionProtected(ProtectedError):
    """Deleting a row that a frozen edition shows: protected, like a PROTECT foreign key protects."""

    def __init__(self, message, obj):
        super().__init__(message, [obj])
        self.messages = [message]


class Rule:
    """How a model's rows are drawn by frozen editions, and which of their fields are guarded."""

    def __init__(self, fields, editions, one_way=None, may_be_drawn=None):
        self.fields = tuple(fields)  # attnames
        self.editions = editions  # ids (a queryset or list of pks) -> Q over Edition
        self.one_way = one_way or {}  # field -> the one value it may always be changed to
        self.may_be_drawn = may_be_drawn or (lambda instance: True)  # False: no query needed

    def frozen_years(self, ids, released=()):
        from kib.workflow.scoping import frozen_editions

        editions = frozen_editions().filter(self.editions(ids)).exclude(pk__in={*_publishing.get(), *released})
        return list(editions.order_by("year").values_list("year", flat=True).distinct())


def _indicator_editions(ids):
    return Q(chapters__figures__chart__series__indicator__in=ids) | Q(chapters__headline_series__indicator__in=ids)


def _public_observation_editions(ids):
    from indicators.models import Observation

    return _indicator_editions(Observation.objects.filter(pk__in=ids, public=True).values("indicator"))


def _source_editions(ids):
    return (
        Q(chapters__citations__source__in=ids)
        | Q(chapters__figures__chart__series__indicator__sources__in=ids)
        | Q(chapters__headline_series__indicator__sources__in=ids)
    )


def _rules():
    from indicators.models import Chart, FigureSeries, HeadlineSeries, Indicator, Observation
    from kib.models import Organisation, Source
    from recommendations.models import ConcludingObservations, Recommendation
    from themes.models import Theme

    return {
        Indicator: Rule(["theme_id", "code", "name", "unit", "definition"], _indicator_editions),
        Observation: Rule(
            ["indicator_id", "period", "territory", "sex", "age_group", "breakdown", "public"],
            _public_observation_editions,
            one_way={"public": True},
            may_be_drawn=lambda observation: observation.public,  # as loaded: a non-public one is nobody's yet
        ),
        Chart: Rule(
            ["figure_id", "kind", "periods", "periods_pinned", "value_label"],
            lambda ids: Q(chapters__figures__chart__in=ids),
        ),
        FigureSeries: Rule(
            ["chart_id", "indicator_id", "label", "territory", "sex", "age_group", "breakdown", "position"],
            lambda ids: Q(chapters__figures__chart__series__in=ids),
        ),
        HeadlineSeries: Rule(
            ["chapter_id", "indicator_id", "period_from", "period_to", "territory", "sex", "age_group", "breakdown"],
            lambda ids: Q(chapters__headline_series__in=ids),
        ),
        Source: Rule(["url", "publisher", "title", "published_on", "accessed_on"], _source_editions),
        Recommendation: Rule(
            ["concluding_observations_id", "code", "text", "theme_id"],
            lambda ids: (
                Q(concluding_observations__recommendations__in=ids)
                | Q(chapters__chapter_recommendations__recommendation__in=ids)
            ),
        ),
        ConcludingObservations: Rule(
            ["symbol", "title", "adopted_on", "url"], lambda ids: Q(concluding_observations__in=ids)
        ),
        Theme: Rule(["number", "title", "nav_label", "slug"], lambda ids: Q(chapters__theme__in=ids)),
        Organisation: Rule(["name", "short_name"], lambda ids: Q(chapters__lead_organisation__in=ids)),
    }


_cache = {}


def rule_for(model):
    if not _cache:
        _cache.update({model._meta.concrete_model: rule for model, rule in _rules().items()})
    return _cache.get(model._meta.concrete_model)


def _message(obj, years, deleting=False):
    editions = ", ".join(str(year) for year in years)
    what = _("verwijderd") if deleting else _("gewijzigd")
    return ngettext(
        "%(object)s staat in de gepubliceerde editie %(editions)s en kan daarom niet worden %(what)s: een "
        "gepubliceerde editie verandert alleen via een correctie. Vraag een coördinator om een correctie "
        "op die editie te openen.",
        "%(object)s staat in de gepubliceerde edities %(editions)s en kan daarom niet worden %(what)s: een "
        "gepubliceerde editie verandert alleen via een correctie. Vraag een coördinator om een correctie "
        "op die edities te openen.",
        len(years),
    ) % {"object": f"{obj._meta.verbose_name.capitalize()} '{obj}'", "editions": editions, "what": what}


def _remember(instance):
    rule = rule_for(type(instance))
    if rule is not None:
        instance.__dict__[ORIGINAL] = {name: instance.__dict__.get(name) for name in rule.fields}


def _changed(instance, rule, update_fields=None):
    """The guarded fields whose value differs from the stored row (only those may need a query)."""
    names = rule.fields
    if update_fields is not None:
        wanted = set(update_fields)
        names = [name for name in names if name in wanted or name.removesuffix("_id") in wanted]
    original = instance.__dict__.get(ORIGINAL)
    if original is not None:
        names = [name for name in names if instance.__dict__.get(name) != original.get(name)]
    if not names:
        return []
    stored = type(instance)._base_manager.filter(pk=instance.pk).values(*names).first()
    if stored is None:
        return []
    changed = [name for name in names if stored[name] != getattr(instance, name)]
    return [name for name in changed if rule.one_way.get(name, object()) != getattr(instance, name)]


def refusal(instance, update_fields=None):
    """The message why saving ``instance`` as it is now would change a frozen edition, or ''."""
    rule = rule_for(type(instance))
    if rule is None or instance.pk is None or instance._state.adding:
        return ""
    if not _changed(instance, rule, update_fields):
        return ""
    years = rule.frozen_years([instance.pk])
    return _message(instance, years) if years else ""


def refusal_to_delete(instance, released=()):
    """The message why ``instance`` may not be deleted, or ''. Deleting an edition itself takes its rows
    along: ``released`` are the editions being deleted."""
    rule = rule_for(type(instance))
    if rule is None or instance.pk is None or not rule.may_be_drawn(instance):
        return ""
    years = rule.frozen_years([instance.pk], released)
    return _message(instance, years, deleting=True) if years else ""


# -- the hooks ------------------------------------------------------------------------------------------


def _on_init(sender, instance, **kwargs):
    _remember(instance)


def _on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loading fixtures or an archive: rows as they were
        return
    message = refusal(instance, update_fields)
    if message:
        raise FrozenEdition(message, code="frozen_edition")


def _on_post_save(sender, instance, **kwargs):
    _remember(instance)


def _released_by(origin):
    """The editions whose own deletion started this one (Django passes where ``delete()`` was called)."""
    from kib.models import Edition

    if isinstance(origin, Edition):
        return {origin.pk}
    if isinstance(origin, models.QuerySet) and origin.model is Edition:
        if not hasattr(origin, "_kib_released"):
            origin._kib_released = set(origin.values_list("pk", flat=True))
        return origin._kib_released
    return set()


def _on_pre_delete(sender, instance, origin=None, **kwargs):
    message = refusal_to_delete(instance, _released_by(origin))
    if message:
        raise FrozenEditionProtected(message, instance)


def _on_indicator_sources(sender, instance, action, reverse, pk_set, **kwargs):
    """An indicator's sources show on its public page and in the open data."""
    from indicators.models import Indicator

    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    rule = rule_for(Indicator)
    if not reverse:
        indicators = [instance.pk]
    elif pk_set is not None:
        indicators = list(pk_set)
    else:  # source.indicators.clear()
        indicators = list(instance.indicators.values_list("pk", flat=True))
    years = rule.frozen_years(indicators)
    if years:
        target = instance if not reverse else Indicator.objects.filter(pk__in=indicators).first()
        raise FrozenEdition(_message(target, years), code="frozen_edition")


class GuardedQuerySet(models.QuerySet):
    """``update()`` and ``delete()`` of a set at once go through the same rule as a single row."""

    def update(self, **kwargs):
        rule = rule_for(self.model)
        if rule is not None:
            guarded = {
                name
                for name in rule.fields
                if (name in kwargs or name.removesuffix("_id") in kwargs)
                and rule.one_way.get(name, object()) != kwargs.get(name, kwargs.get(name.removesuffix("_id")))
            }
            if guarded:
                years = rule.frozen_years(self.values("pk"))
                if years:
                    obj = self.model._base_manager.filter(pk__in=self.values("pk")).first()
                    raise FrozenEdition(_message(obj, years), code="frozen_edition")
        return super().update(**kwargs)

    update.alters_data = True


def connect():
    from indicators.models import Indicator

    for model in _rules():
        label = model._meta.label
        post_init.connect(_on_init, sender=model, dispatch_uid=f"kib-freeze-init-{label}")
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=f"kib-freeze-save-{label}")
        post_save.connect(_on_post_save, sender=model, dispatch_uid=f"kib-freeze-saved-{label}")
        pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=f"kib-freeze-delete-{label}")
    m2m_changed.connect(_on_indicator_sources, sender=Indicator.sources.through, dispatch_uid="kib-freeze-sources")
