"""Forms of the workflow pages that are not a model's change form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kib.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StartNextEditionForm(forms.Form):
    reporting_period_start = forms.DateField(label=_("verslagperiode van"), widget=DateInput())
    reporting_period_end = forms.DateField(label=_("verslagperiode tot en met"), widget=DateInput())
    publication_date = forms.DateField(label=_("publicatiedatum"), required=False, widget=DateInput())
    deadline = forms.DateField(
        label=_("deadline van de hoofdstukken"),
        required=False,
        widget=DateInput(),
        help_text=_("Voor elk hoofdstuk; per hoofdstuk aan te passen, ook in bulk in de lijst van hoofdstukken."),
    )
    confirm = forms.BooleanField(
        label=_("Ja, start de nieuwe editie: alle hoofdstukken worden gekopieerd als concept."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("reporting_period_start"), data.get("reporting_period_end")
        if start and end and end < start:
            self.add_error("reporting_period_end", _("De verslagperiode eindigt vóór zij begint."))
        deadline, published = data.get("deadline"), data.get("publication_date")
        if deadline and published and deadline > published:
            self.add_error("deadline", _("De deadline ligt na de publicatiedatum."))
        return data


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("reden om toch te publiceren"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Alleen nodig als de controle hierboven waarschuwingen geeft; de reden komt in het logboek."),
    )
    confirm = forms.BooleanField(label=_("Ja, publiceer en bevries de editie."))


class PlanChaptersForm(forms.Form):
    """Bulk planning of the chapters chosen in the list."""

    set_deadline = forms.BooleanField(label=_("deadline wijzigen"), required=False)
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DateInput())
    set_lead = forms.BooleanField(label=_("trekkende organisatie wijzigen"), required=False)
    lead_organisation = forms.ModelChoiceField(
        label=_("trekkende organisatie"), queryset=Organisation.objects.filter(is_active=True), required=False
    )
    contributing = forms.ModelMultipleChoiceField(
        label=_("bijdragende organisaties"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contributing_mode = forms.ChoiceField(
        label=_("bijdragers"),
        choices=[
            ("keep", _("laten zoals ze zijn")),
            ("add", _("de gekozen organisaties toevoegen")),
            ("replace", _("vervangen door de gekozen organisaties")),
        ],
        initial="keep",
        required=False,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        data["contributing_mode"] = data.get("contributing_mode") or "keep"
        if not (data.get("set_deadline") or data.get("set_lead") or data["contributing_mode"] != "keep"):
            raise forms.ValidationError(_("Kies wat u wilt wijzigen: deadline, trekker of bijdragers."))
        if data.get("contributing_mode") == "add" and not data.get("contributing"):
            self.add_error("contributing", _("Kies de organisaties die u wilt toevoegen."))
        return data
