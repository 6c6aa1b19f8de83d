from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Role


class ClaimGrantForm(forms.Form):
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=Role.objects.all(),
        to_field_name="code",
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    item_scope = forms.CharField(
        label=_("Service items"),
        initial="*",
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        help_text=_("* for every item, category:<code> for a category, item:<code> for one item."),
    )
