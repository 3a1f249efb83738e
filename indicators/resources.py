"""The observation spreadsheet as a django-import-export resource (Dutch column names).

One row is one cell of a series: indicator, periode, gebied, geslacht, leeftijdsgroep,
uitsplitsing identify it; waarde, vlag and toelichting are its content. An import is all
or nothing: any invalid row rolls the whole file back. A row may add a cell, leave an
identical cell alone, or — only when the editor ticks "bestaande waarden bijwerken" —
change an existing cell; without that tick a different number for an existing cell is a
conflict. Editors reach only the indicators of their organisations' chapters.

Speed (see ``bench/bench_import.py``): existing cells and indicators are read once per
import, model validation runs without per-row uniqueness queries (the loader already
knows every existing cell), the preview writes nothing, rows are written in bulk and each
new row still gets its "created" history record (copied inside the database). Every
confirmed import leaves one ``ImportLog`` entry. ``bench/bench_import_machinery.py`` times the
two devices that exist only for speed (the history copied by SQL, the paused garbage collector)
against the plain way; they stay because the figures say so (README, "Key figures").
"""

import gc
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult
from simple_history.utils import bulk_update_with_history

from indicators.models import ImportLog, Indicator, Observation
from kib.choices import Territory
from kib.workflow.scoping import visible_indicators

KEY_FIELDS = ("indicator", "period", "territory", "sex", "age_group", "breakdown")
CONTENT_FIELDS = ("value", "flag", "note")
COLUMN_OF = {
    "indicator": "indicator",
    "period": "periode",
    "territory": "gebied",
    "sex": "geslacht",
    "age_group": "leeftijdsgroep",
    "breakdown": "uitsplitsing",
    "value": "waarde",
    "flag": "vlag",
    "note": "toelichting",
}
PREVIEW_ROWS = 200
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

FLAG_WORDS = {
    "": "",
    "voorlopig": Observation.Flag.PROVISIONAL,
    "provisional": Observation.Flag.PROVISIONAL,
    "schatting": Observation.Flag.ESTIMATE,
    "geschat": Observation.Flag.ESTIMATE,
    "estimate": Observation.Flag.ESTIMATE,
    "minder dan": Observation.Flag.SUPPRESSED,
    "kleiner dan": Observation.Flag.SUPPRESSED,
    "onderdrukt": Observation.Flag.SUPPRESSED,
    "suppressed": Observation.Flag.SUPPRESSED,
    "<": Observation.Flag.SUPPRESSED,
}
FLAG_EXPORT = {
    "": "",
    Observation.Flag.PROVISIONAL: "voorlopig",
    Observation.Flag.ESTIMATE: "schatting",
    Observation.Flag.SUPPRESSED: "minder dan",
}
TERRITORY_WORDS = {code.lower(): code for code in Territory.values} | {
    str(label).lower(): code for code, label in Territory.choices
}
TERRITORY_WORDS |= {"": Territory.NL, "nederland": Territory.NL, "bes": Territory.CN, "st. eustatius": Territory.STA}
_PERIOD_INPUT = re.compile(r"^(\d{4})\s*(?:[-/–—]\s*(\d{2}|\d{4}))?$")


def neutralise(text):
    """Stop a spreadsheet from reading an exported cell as a formula ("'=1+1")."""
    if text and text.startswith(DANGEROUS_START):
        return "'" + text
    return text


def unneutralise(text):
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(DANGEROUS_START):
        return text[1:]
    return text


class TextWidget(widgets.CharWidget):
    def __init__(self, max_length=None):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = unneutralise(" ".join(str(value or "").split()))
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                _("'%(value)s' is te lang (hoogstens %(max)s tekens).")
                % {"value": text[:40] + "…", "max": self.max_length}
            )
        return text

    def render(self, value, obj=None, **kwargs):
        return neutralise("" if value is None else str(value))


class IndicatorWidget(widgets.Widget):
    """The indicator by its code, limited to what the importing user may reach."""

    def __init__(self):
        super().__init__(coerce_to_string=True)
        self.known = {}  # code -> Indicator (all indicators named in the file)
        self.allowed = set()  # pks the user may import into

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip().lower()
        if not code:
            raise ValueError(_("geen indicator ingevuld."))
        indicator = self.known.get(code)
        if indicator is None:
            raise ValueError(
                _("onbekende indicator '%(code)s'; gebruik een code uit het tabblad 'indicatoren'.") % {"code": code}
            )
        if indicator.pk not in self.allowed:
            raise ValueError(
                _(
                    "de indicator '%(code)s' hoort niet bij een hoofdstuk van uw organisatie in een editie in "
                    "voorbereiding; u kunt er geen cijfers voor invoeren."
                )
                % {"code": code}
            )
        return indicator

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class PeriodWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        match = _PERIOD_INPUT.match(text)
        if not match:
            raise ValueError(
                _("'%(value)s' is geen jaar (2023), schooljaar (2022-2023) of reeks jaren (2017-2021).")
                % {"value": text}
                if text
                else _("geen periode ingevuld.")
            )
        start, end = match.groups()
        if end and len(end) == 2:
            end = start[:2] + end  # 2022/23 -> 2022-2023
        return f"{start}-{end}" if end else start

    def render(self, value, obj=None, **kwargs):
        return value or ""


class TerritoryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if text not in TERRITORY_WORDS:
            raise ValueError(
                _("onbekend gebied '%(value)s'; gebruik NL, CN, BON, STA of SAB.") % {"value": str(value).strip()}
            )
        return TERRITORY_WORDS[text]

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ValueWidget(widgets.Widget):
    """A number in Dutch or English notation without thousands separators: 13,5 or 13.5."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            raise ValueError(_("geen waarde ingevuld."))
        if text.endswith("%"):
            text = text[:-1]
        if "," in text and "." in text:
            raise ValueError(
                _("'%(value)s': gebruik geen scheidingsteken voor duizendtallen (schrijf 1234,5).") % {"value": value}
            )
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("'%(value)s' is geen getal.") % {"value": value}) from None
        if not number.is_finite():
            raise ValueError(_("'%(value)s' is geen getal.") % {"value": value})
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


class FlagWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = " ".join(str(value or "").lower().split())
        if text not in FLAG_WORDS:
            raise ValueError(
                _("onbekende vlag '%(value)s'; laat leeg of kies 'voorlopig', 'schatting' of 'minder dan'.")
                % {"value": str(value).strip()}
            )
        return FLAG_WORDS[text]

    def render(self, value, obj=None, **kwargs):
        return FLAG_EXPORT.get(value or "", value or "")


class CellLoader(BaseInstanceLoader):
    """Finds existing cells in one query for the whole file instead of one per row."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        ids = [indicator.pk for indicator in resource.indicator_widget.known.values()]
        self.cells = {obs.cell_key: obs for obs in Observation.objects.filter(indicator_id__in=ids)}
        for obs in self.cells.values():
            obs._kib_stored = (obs.value, obs.flag, obs.note)

    def get_instance(self, row):
        try:
            key = self.resource.row_key(row)
        except (ValueError, ValidationError):
            return None  # the field errors are reported when the row is imported
        return self.cells.get(key)


class ObservationResource(resources.ModelResource):
    indicator = fields.Field(attribute="indicator", column_name="indicator", widget=IndicatorWidget())
    period = fields.Field(attribute="period", column_name="periode", widget=PeriodWidget())
    territory = fields.Field(attribute="territory", column_name="gebied", widget=TerritoryWidget())
    sex = fields.Field(attribute="sex", column_name="geslacht", widget=TextWidget(20))
    age_group = fields.Field(attribute="age_group", column_name="leeftijdsgroep", widget=TextWidget(40))
    breakdown = fields.Field(attribute="breakdown", column_name="uitsplitsing", widget=TextWidget(120))
    value = fields.Field(attribute="value", column_name="waarde", widget=ValueWidget())
    flag = fields.Field(attribute="flag", column_name="vlag", widget=FlagWidget())
    note = fields.Field(attribute="note", column_name="toelichting", widget=TextWidget(500))

    class Meta:
        model = Observation
        name = "Waarnemingen (kolommen in het Nederlands)"
        fields = ("indicator", "period", "territory", "sex", "age_group", "breakdown", "value", "flag", "note")
        export_order = fields
        import_id_fields = KEY_FIELDS
        instance_loader_class = CellLoader
        use_transactions = True
        clean_model_instances = True
        skip_diff = True
        use_bulk = True
        batch_size = 2000
        chunk_size = 2000

    def __init__(self, user=None, allow_updates=False, indicators=None, **kwargs):
        """``indicators``: the queryset the user may import into (default: by the scoping rule)."""
        super().__init__(**kwargs)
        self.user = user
        self.allow_updates = allow_updates
        self.scope = indicators
        self.file_name = ""
        self.indicator_widget = self.fields["indicator"].widget
        self._first_row_of = {}
        self.touched = set()
        self.preview = []  # (row number, import type, observation, stored value) of the first rows

    # -- scoping --------------------------------------------------------------

    def allowed_indicators(self):
        if self.scope is not None:
            return self.scope
        return visible_indicators(self.user)

    def get_queryset(self):
        return Observation.objects.filter(indicator__in=self.allowed_indicators()).select_related("indicator")

    def filter_export(self, queryset, **kwargs):
        if not hasattr(queryset, "select_related"):  # a list, already in order (``observations_csv``)
            return queryset
        return queryset.select_related("indicator").order_by(*Observation._meta.ordering)

    # -- import ---------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """All or nothing: any invalid row rolls back the whole file.

        The cyclic garbage collector is paused meanwhile: tens of thousands of live row objects
        make each of its passes expensive (a third of the time of a 50,000-row import), and an
        import creates no reference cycles worth collecting before it ends.
        """
        kwargs["rollback_on_validation_errors"] = True
        # The admin asks to keep every row's instance for its LogEntry rows; this app writes the
        # history and the import log instead, and 50,000 retained instances cost memory.
        kwargs.pop("retain_instance_in_row_result", None)
        self.file_name = kwargs.get("file_name") or ""
        paused = gc.isenabled()
        gc.disable()
        try:
            return super().import_data(
                dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs
            )
        finally:
            if paused:
                gc.enable()

    def before_import(self, dataset, **kwargs):
        codes = (
            {str(code or "").strip().lower() for code in dataset["indicator"]}
            if "indicator" in dataset.headers
            else set()
        )
        codes.discard("")
        known = Indicator.objects.annotate(lower_code=Lower("code")).filter(lower_code__in=codes)
        self.indicator_widget.known = {indicator.code.lower(): indicator for indicator in known}
        self.indicator_widget.allowed = set(
            self.allowed_indicators().filter(pk__in=[i.pk for i in known]).values_list("pk", flat=True)
        )

    def get_instance(self, instance_loader, row):
        """Also when optional key columns (gebied, …) are left out: they then mean NL / total."""
        return instance_loader.get_instance(row)

    def _check_import_id_fields(self, headers):
        """The optional key columns (gebied, geslacht, …) may be left out; read_table checked the header."""

    def row_key(self, row):
        """The natural key of a row, as (indicator_id, period, territory, sex, age_group, breakdown).

        The cleaned key values are kept for ``import_instance`` of the same row, so each cell is
        parsed once.
        """
        key, cleaned = [], {}
        self._cleaned_row = (None, {})
        for name in KEY_FIELDS:
            field = self.fields[name]
            if field.column_name in row:
                value = cleaned[name] = field.widget.clean(row[field.column_name], row=row)
            else:
                value = Territory.NL if name == "territory" else ""
            key.append(value.pk if name == "indicator" else value)
        self._cleaned_row = (id(row), cleaned)
        return tuple(key)

    def before_import_row(self, row, **kwargs):
        """'< 5' in the waarde column means: value 5, flag 'minder dan'."""
        value = str(row.get("waarde") or "").strip()
        if value.startswith("<"):
            row["waarde"] = value[1:].strip()
            flag = FLAG_WORDS.get(" ".join(str(row.get("vlag") or "").lower().split()))
            if flag not in ("", Observation.Flag.SUPPRESSED, None):
                raise ValidationError(
                    {
                        "vlag": _("de waarde begint met '<' (minder dan), maar de vlag zegt '%(flag)s'.")
                        % {"flag": row["vlag"]}
                    }
                )
            row["vlag"] = "minder dan"

    def import_instance(self, instance, row, **kwargs):
        """Set every column present in the row on the instance; collect all problems of the row at once."""
        row_id, cleaned = getattr(self, "_cleaned_row", (None, {}))
        cleaned = cleaned if row_id == id(row) else {}
        errors = {}
        for field in self.get_import_fields():
            if field.column_name not in row:
                continue
            try:
                value = (
                    cleaned[field.attribute]
                    if field.attribute in cleaned
                    else field.widget.clean(row[field.column_name], row=row)
                )
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
            else:
                setattr(instance, field.attribute, value)
        if not errors:
            self._check_cell(instance, kwargs.get("row_number"), errors)
        if errors:
            raise ValidationError(errors)

    def _check_cell(self, instance, row_number, errors):
        key = instance.cell_key
        first = self._first_row_of.setdefault(key, row_number)
        if first != row_number:
            errors[NON_FIELD_ERRORS] = [
                _(
                    "dezelfde indicator, periode, gebied, geslacht, leeftijdsgroep en uitsplitsing staan al in rij "
                    "%(row)s; elk cijfer mag maar één keer in het bestand staan."
                )
                % {"row": first + 1}
            ]
            return
        stored = getattr(instance, "_kib_stored", None)
        if stored is not None and stored != (instance.value, instance.flag, instance.note) and not self.allow_updates:
            value, flag, _note = stored
            errors[NON_FIELD_ERRORS] = [
                _(
                    "voor %(indicator)s, %(period)s staat al de waarde %(old)s%(old_flag)s; dit bestand geeft "
                    "%(new)s%(new_flag)s. Vink 'Bestaande waarden bijwerken' aan als u de bestaande waarde wilt "
                    "vervangen."
                )
                % {
                    "indicator": instance.indicator.code,
                    "period": instance.period,
                    "old": format(value.normalize(), "f"),
                    "old_flag": f" ({FLAG_EXPORT[flag]})" if flag else "",
                    "new": format(instance.value.normalize(), "f"),
                    "new_flag": f" ({FLAG_EXPORT[instance.flag]})" if instance.flag else "",
                }
            ]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing cell with the same value, flag and note is left alone."""
        stored = getattr(instance, "_kib_stored", None)
        return (
            stored is not None
            and not import_validation_errors
            and stored == (instance.value, instance.flag, instance.note)
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation without a uniqueness query per row (the loader knows every existing cell)."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "indicator"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError({COLUMN_OF.get(name, name): messages for name, messages in errors.items()})

    def after_save_instance(self, instance, row, **kwargs):
        self.touched.add(instance.indicator_id)

    def after_import_row(self, row, row_result, **kwargs):
        if len(self.preview) < PREVIEW_ROWS and row_result.import_type in RowResult.valid_import_types:
            instance = self._current
            stored = getattr(instance, "_kib_stored", None)
            old = stored if stored is not None and row_result.import_type == RowResult.IMPORT_TYPE_UPDATE else None
            self.preview.append((kwargs.get("row_number"), row_result.import_type, instance, old))

    def after_init_instance(self, instance, new, row, **kwargs):
        self._current = instance

    def _history_reason(self):
        return (_("Import %(file)s") % {"file": self.file_name})[:100]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Insert the new cells; the preview (dry run) writes nothing, every check already ran in Python."""
        if self.create_instances and not dry_run:
            try:
                with transaction.atomic(using=self.get_db_connection_name()):
                    created = Observation.objects.bulk_create(
                        self.create_instances, batch_size=batch_size or self._meta.batch_size
                    )
                    self._history_for_created([obj.pk for obj in created])
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
        self.create_instances.clear()

    def _history_for_created(self, pks):
        """One "created" history row per new cell, copied inside the database (INSERT … SELECT).

        Equivalent to simple-history's ``bulk_history_create`` (same columns, user, reason and
        type), without building a Python object per row — the difference between a 50,000-row
        import taking twice or four times as long as a plain ``bulk_create``.
        """
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not pks:
            return
        if None in pks:  # a database that does not return new ids
            bulk_history_create = Observation.history.bulk_history_create
            objs = Observation.objects.filter(pk__in=[pk for pk in pks if pk is not None])
            bulk_history_create(list(objs), default_user=self.user, default_change_reason=self._history_reason())
            return
        historical = Observation.history.model
        connection = connections[self.get_db_connection_name()]
        quote = connection.ops.quote_name
        columns = [field.column for field in historical.tracked_fields]
        copied = ", ".join(quote(column) for column in columns)
        extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        user_id = self.user.pk if self.user is not None and self.user.is_authenticated else None
        values = [
            connection.ops.adapt_datetimefield_value(timezone.now()),
            self._history_reason(),
            "+",
            user_id,
        ]
        sql = (
            f"INSERT INTO {quote(historical._meta.db_table)} ({copied}, {', '.join(quote(c) for c in extra)}) "
            f"SELECT {copied}, %s, %s, %s, %s FROM {quote(Observation._meta.db_table)} WHERE {quote('id')} IN "
        )
        with connection.cursor() as cursor:
            for start in range(0, len(pks), 2000):
                chunk = pks[start : start + 2000]
                cursor.execute(sql + f"({', '.join(['%s'] * len(chunk))})", [*values, *chunk])

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and not dry_run:
            try:
                with transaction.atomic(using=self.get_db_connection_name()):
                    bulk_update_with_history(
                        self.update_instances,
                        Observation,
                        list(CONTENT_FIELDS),
                        batch_size=batch_size or self._meta.batch_size,
                        default_user=self.user,
                        default_change_reason=self._history_reason(),
                    )
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
        self.update_instances.clear()

    def get_import_fields(self):
        """The same list for every row (the library recomputes it per row)."""
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def after_import(self, dataset, result, **kwargs):
        """Record one summary per confirmed import (rolled back with the rest if anything failed)."""
        result.preview = self.preview
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        totals = result.totals
        log = ImportLog.objects.create(
            user=self.user if self.user and self.user.is_authenticated else None,
            file_name=self.file_name[:255],
            file_format=self.file_name.rpartition(".")[2].lower()[:10] if "." in self.file_name else "",
            total_rows=result.total_rows,
            new=totals[RowResult.IMPORT_TYPE_NEW],
            updated=totals[RowResult.IMPORT_TYPE_UPDATE],
            unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
        )
        log.indicators.set(self.touched)
        result.import_log = log


def error_lines(result):
    """Every problem of an import result as one plain Dutch line naming the row and the column.

    Rows are numbered as in the spreadsheet: the header is row 1, the first figure row 2.
    """
    lines = []
    for error in result.base_errors:
        lines.append(_("Het bestand kon niet worden verwerkt: %(error)s") % {"error": error.error})
    for number, errors in result.row_errors():
        for error in errors:
            row = (error.number or number) + 1
            lines.append(_("Rij %(row)s: %(error)s") % {"row": row, "error": error.error})
    for invalid in result.invalid_rows:
        row = invalid.number + 1
        for column, messages in invalid.error_dict.items():
            for message in messages:
                if column == NON_FIELD_ERRORS:
                    lines.append(_("Rij %(row)s: %(message)s") % {"row": row, "message": message})
                else:
                    lines.append(
                        _("Rij %(row)s, kolom '%(column)s': %(message)s")
                        % {"row": row, "column": COLUMN_OF.get(column, column), "message": message}
                    )
    return lines
