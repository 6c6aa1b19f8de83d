"""What the rules say about a staged row, stored in no language and shown in the reader's.

A note is kept as JSON, ``[[text, {args}], …]``: ``text`` is an English message marked for
translation, ``args`` its values (line numbers, periods, amounts, names). The pages translate
the text and fill in the values when they show it; a note that is not such JSON (a bare rule
code) is shown as it is.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext, gettext_noop

MAX_LENGTH = 300  # the staged rows' note column
# Notes several loaders write.
N_PERSON = gettext_noop("person {person}")
N_SAME_LINE = gettext_noop("same as line {line}")


def note(text: str, **args: Any) -> str:
    """One note: ``text`` (marked with ``gettext_noop`` where it is written) and its values."""
    return json.dumps([[text, args]], ensure_ascii=False, default=str)


def notes_join(*stored: str) -> str:
    """Several notes as one, in order; those that would not fit the column are left out."""
    items: list[Any] = []
    for value in stored:
        items.extend(_items(value))
    while items and len(_dump(items)) > MAX_LENGTH:
        items.pop()
    return _dump(items) if items else ""


def note_display(stored: str) -> str:
    """The note in the active language."""
    return "; ".join(
        gettext(text).format(**args) if args is not None else text for text, args in _items(stored)
    )


def _items(stored: str) -> list[Any]:
    if not stored:
        return []
    try:
        items = json.loads(stored)
    except ValueError:
        return [[stored, None]]  # a plain note: shown untranslated
    if not isinstance(items, list):
        return [[stored, None]]
    return items


def _dump(items: list[Any]) -> str:
    return json.dumps(items, ensure_ascii=False, default=str)
