"""Schemas every API router shares."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """A refusal: its rule code, both messages, and the message in the request's language;
    a schema refusal (422) lists the offending fields in ``errors``."""

    code: str
    message_zh: str
    message_en: str
    detail: str
    errors: list[dict[str, Any]] | None = None
