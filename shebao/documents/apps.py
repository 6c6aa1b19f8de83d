from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Issued documents (证明文书): PDF certificates, statements, bills and notices, each with
    a verification code, and their public verification."""

    name = "shebao.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from shebao.documents import handlers  # noqa: F401 - registrations

        checks.register(public_url_check)


def public_url_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every document prints SHEBAO_PUBLIC_URL in its QR code: a malformed one would make
    every document issued unverifiable by scanning. Checked when
    the site starts (and by ``manage.py check``)."""
    from django.conf import settings

    url = settings.SHEBAO_PUBLIC_URL
    host = url.split("://", 1)[1] if "://" in url else ""
    if url.startswith(("http://", "https://")) and host and not any(c.isspace() for c in url):
        return []
    return [
        checks.Error(
            f"SHEBAO_PUBLIC_URL={url!r}: expected the site's origin, e.g. https://sb.example.gov.cn",
            id="documents.E001",
        )
    ]
