from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class Agency(models.Model):
    """Social insurance agency (社会保险经办机构): one node of the province's agency tree.

    ``path`` holds the codes from the root down (``/420000/420300/420302/``), so "this agency
    and its descendants" — the data scope of its staff — is one prefix match.
    """

    code = models.CharField(
        _("agency code"),
        max_length=12,
        unique=True,
        help_text=_("Division code, plus a suffix where several agencies share one area."),
    )
    division_code = models.CharField(_("division code"), max_length=6)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level="province")
                | models.Q(parent__isnull=False),
                name="core_agency_only_province_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: object, **kwargs: object) -> None:
        # The path is an invariant of code and parent, kept here so no writer can forget it.
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def display_name(self, language: str | None = None) -> str:
        if language and language.startswith("en"):
            return self.name_en
        return self.name

    def contains(self, other: Agency) -> bool:
        """True when ``other`` is this agency or one of its descendants."""
        return other.path.startswith(self.path)
