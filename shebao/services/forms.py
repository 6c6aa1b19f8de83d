from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.services.models import AgentKind, ServiceItem

INPUT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class CaseStartForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.none(),
        widget=forms.Select(attrs={**SELECT, "autofocus": True}),
    )
    agent_kind = forms.ChoiceField(
        label=_("Who is at the counter"),
        choices=AgentKind.choices,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    agent_name = forms.CharField(
        label=_("Agent name"), required=False, widget=forms.TextInput(attrs=INPUT)
    )
    agent_resident_id = forms.CharField(
        label=_("Agent resident ID"), required=False, widget=forms.TextInput(attrs=INPUT)
    )
    agent_relation = forms.CharField(
        label=_("Relation to the applicant"), required=False, widget=forms.TextInput(attrs=INPUT)
    )
    note = forms.CharField(
        label=_("Request details"),
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
    )
    accept_now = forms.BooleanField(label=_("Accept on the spot"), required=False, initial=True)

    def __init__(self, *args: object, items: list[ServiceItem], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ServiceItem.objects.filter(pk__in=[item.pk for item in items])


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=300, widget=forms.TextInput(attrs=INPUT)
    )


class AttachmentForm(forms.Form):
    material = forms.CharField(
        label=_("Material"), max_length=100, widget=forms.TextInput(attrs=INPUT)
    )
    file = forms.FileField(label=_("File (PDF, JPEG, PNG)"), widget=forms.FileInput(attrs=INPUT))
