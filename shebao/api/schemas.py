"""Schemas every API router shares."""

from ninja import Schema


class ErrorOut(Schema):
    """A refusal: its rule code, both messages, and the message in the request's language."""

    code: str
    message_zh: str
    message_en: str
    detail: str
