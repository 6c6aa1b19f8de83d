"""Forms of the portal's and the kiosk's sign-in pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TEXT = {"class": "form-control form-control-lg"}


def _text(label: StrOrPromise, **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=100, widget=forms.TextInput(TEXT | attrs))


class CitizenLoginForm(forms.Form):
    resident_id = _text(_("Resident ID number"), autocomplete="username", inputmode="text")
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(TEXT | {"autocomplete": "current-password"})
    )


class CitizenActivationForm(forms.Form):
    resident_id = _text(_("Resident ID number"), autocomplete="off")
    name = _text(_("Name"), autocomplete="name")
    phone = _text(_("Mobile phone on record"), autocomplete="tel", inputmode="tel")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code sent by SMS"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            TEXT | {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )


class NewPasswordForm(CodeForm):
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(TEXT | {"autocomplete": "new-password"}),
        help_text=_(
            "At least 10 characters, with three of: capitals, small letters, digits, symbols."
        ),
    )
    confirm = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(TEXT | {"autocomplete": "new-password"}),
    )


class AgentLoginForm(forms.Form):
    credit_code = _text(_("Unified social credit code"), autocomplete="organization")
    phone = _text(_("Agent's mobile phone"), autocomplete="username", inputmode="tel")
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(TEXT | {"autocomplete": "current-password"})
    )


class AgentActivationForm(forms.Form):
    credit_code = _text(_("Unified social credit code"), autocomplete="organization")
    phone = _text(_("Agent's mobile phone"), autocomplete="tel", inputmode="tel")


class KioskSignInForm(forms.Form):
    resident_id = forms.CharField(
        label=_("Resident ID number"),
        max_length=18,
        widget=forms.TextInput(
            {"class": "form-control kiosk-input", "autocomplete": "off", "data-keypad": "id"}
        ),
    )


class KioskCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code sent by SMS"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            {"class": "form-control kiosk-input", "autocomplete": "off", "data-keypad": "digits"}
        ),
    )


class KioskRegisterForm(forms.Form):
    code = forms.CharField(label=_("Kiosk number"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
