"""Choices of an inline's select boxes read once per page, not once per row.

Django renders a foreign-key select by running its queryset for every form of an inline (a
figure chosen per key-figure paragraph), and an autocomplete by fetching the selected object for
every form (a recommendation per row). On the chapter's section pages that made the query count
grow with the chapter. ``share_choices(formset)`` reads each list once and hands it to every
form; validation still runs against the field's queryset (``ModelChoiceField.to_python``), so
what may be chosen does not change.
"""

import copy

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property


def _inner(widget):
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected option comes from ``preloaded`` ({pk: object}) instead of a query."""

    preloaded = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if self.preloaded is None:
            return super().optgroups(name, value, attr)
        # ``preloaded`` holds every value of the forms that the field's queryset has: a value it lacks (an unknown
        # or malformed one, posted and refused) has no option, as with Django's own query (which fails on "abc").
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in selected:
            if pk in self.preloaded:
                label = self.choices.field.label_from_instance(self.preloaded[pk])
                options.append(self.create_option(name, pk, label, True, len(options)))
        return [(None, options, 0)]


def share_choices(formset_class, select_related=()):
    """``formset_class`` whose forms share one read of every foreign-key select and autocomplete; its rows
    come with ``select_related`` (what their labels read)."""

    class SharedChoicesFormSet(formset_class):
        def __init__(self, *args, **kwargs):
            if select_related and kwargs.get("queryset") is not None:
                kwargs["queryset"] = kwargs["queryset"].select_related(*select_related)
            super().__init__(*args, **kwargs)

        @cached_property
        def forms(self):
            built = super().forms
            if built:
                _share(built)
                if self.is_bound:
                    _known_rows(self, built)
            return built

    SharedChoicesFormSet.__name__ = formset_class.__name__
    return SharedChoicesFormSet


class KnownRowChoiceField(forms.ModelChoiceField):
    """A posted id (of the row itself, or a choice) that the formset has just read from the field's queryset is not
    read again, one by one."""

    known = None  # {str(pk): the row as read}

    def to_python(self, value):
        if self.known and value not in self.empty_values and str(value) in self.known:
            return copy.copy(self.known[str(value)])  # as ``queryset.get`` gives it: a row of its own
        return super().to_python(value)


def _known_rows(formset, built):
    """Posted rows are validated against the rows the formset read for its forms (``_existing_object``) instead of
    a query per row; an id it did not read is still looked up (and refused when it does not exist)."""
    pk_field = getattr(formset, "_pk_field", None)
    rows = getattr(formset, "_object_dict", None)
    if pk_field is None or not rows:
        return
    known = {str(pk): row for pk, row in rows.items()}
    for form in built:
        field = form.fields.get(pk_field.name)
        if type(field) is forms.ModelChoiceField and field.to_field_name is None:
            field.__class__ = KnownRowChoiceField
            field.known = known


def _share(built):
    for name, field in built[0].fields.items():
        if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
            continue
        widget = _inner(field.widget)
        if isinstance(widget, AutocompleteSelect):
            values = _pks(field.queryset.model, {form[name].value() for form in built})
            preloaded = {str(obj.pk): obj for obj in field.queryset.filter(pk__in=values)} if values else {}
            for form in built:
                inner = _inner(form.fields[name].widget)
                inner.__class__ = PreloadedAutocompleteSelect  # same widget, selected option without a query
                inner.preloaded = preloaded
            _validated_against(built, name, preloaded)
        elif isinstance(widget, forms.Select):
            choices = list(iter(field.choices))  # iter: no COUNT query first
            for form in built:
                _inner(form.fields[name].widget).choices = choices
            offered = {str(value): value.instance for value, _label in choices if hasattr(value, "instance")}
            _validated_against(built, name, offered)


def _pks(model, values):
    """The ``values`` that are ids of ``model`` (a posted one may be anything: "abc" is left out, not a crash)."""
    pk, kept = model._meta.pk, set()
    for value in values:
        if value in (None, ""):
            continue
        try:
            kept.add(pk.to_python(value))
        except ValidationError:
            continue
    return kept


def _validated_against(built, name, rows):
    """A posted choice is looked up in ``rows`` ({str(pk): object}: read from the field's own queryset once for all
    forms) instead of one query per form; a value not among them is still looked up, and refused when the queryset
    does not hold it."""
    if not built[0].is_bound:
        return
    for form in built:
        field = form.fields[name]
        if type(field) is forms.ModelChoiceField and field.to_field_name in (None, field.queryset.model._meta.pk.name):
            field.__class__ = KnownRowChoiceField
            field.known = rows
