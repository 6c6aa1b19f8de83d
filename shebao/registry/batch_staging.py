"""A checked batch file kept between its preview and the confirmation (待确认的批量文件).

The file is stored under a random token; the token is remembered in the uploader's session
together with the employer it was checked for, so only the same signed-in user may confirm
it, and only for that employer: another session, or the same token sent for another
employer, finds nothing. ``purge_staged_batches`` deletes files never confirmed (they hold
personal data).
"""

from __future__ import annotations

import uuid

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shebao.registry.batch import BatchKind
from shebao.registry.models import Employer

BATCH_FOLDER = "batches"


def _path(token: str) -> str:
    return f"{BATCH_FOLDER}/{token}.xlsx"


def _key(token: str) -> str:
    return f"batch:{token}"


def batch_stage(session: SessionBase, *, employer: Employer, data: bytes, kind: BatchKind) -> str:
    """Keep the checked file for the confirmation; returns its token."""
    token = uuid.uuid4().hex
    default_storage.save(_path(token), ContentFile(data))
    session[_key(token)] = {"employer": employer.pk, "kind": kind}
    return token


def batch_staged(
    session: SessionBase, *, token: str, employer: Employer
) -> tuple[bytes, BatchKind] | None:
    """The file and kind staged under ``token`` by this session for ``employer``, or None."""
    staged = session.get(_key(token))
    if not isinstance(staged, dict) or staged.get("employer") != employer.pk:
        return None
    kind: BatchKind = "removal" if staged.get("kind") == "removal" else "addition"
    if not default_storage.exists(_path(token)):
        return None
    with default_storage.open(_path(token), "rb") as handle:
        return handle.read(), kind


def batch_unstage(session: SessionBase, *, token: str) -> None:
    """The file was submitted (or abandoned): forget it and delete it."""
    if session.pop(_key(token), None) is not None:
        default_storage.delete(_path(token))
