from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Role, User, UserKind


class StaffAuthenticationForm(AuthenticationForm):
    """The staff sign-in: a portal login (citizen, employer agent) is refused here, with the
    same message as a wrong password, so the form does not tell which accounts exist."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.kind != UserKind.STAFF:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


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
