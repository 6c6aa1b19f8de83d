"""Schemas every API router shares."""

from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

# A list's offset is at most this: far beyond any table, and offset + limit stays a 64-bit
# integer for the database (a larger one is a 422, not a database error).
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip")]


class ErrorOut(Schema):
    """A refusal: its rule code, both messages, and the message in the request's language;
    a schema refusal (422) lists the offending fields in ``errors``."""

    code: str
    message_zh: str
    message_en: str
    detail: str
    errors: list[dict[str, Any]] | None = None


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """ninja's limit/offset pagination with the offset bounded like every other list's."""

    class Input(LimitOffsetPagination.Input):
        offset: Offset = 0
