"""The decision on a worklist item: one of the rule's decisions and the reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.migration.models import Resolution


class IssueDecisionForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Your decision"), widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    # Required by the service, which refuses an empty reason with its rule code
    # (MIG-ISSUE-REASON); the browser asks for it first.
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control form-control-sm", "required": True}
        ),
    )

    def __init__(self, *args: Any, choices: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resolution"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(choice, Resolution(choice).label) for choice in choices]
