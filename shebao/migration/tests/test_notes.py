"""Notes on staged rows are stored in no language and shown in the reader's."""

from __future__ import annotations

import json

from django.utils import translation

from shebao.migration.notes import MAX_LENGTH, N_SAME_LINE, note, note_display, notes_join


def test_a_note_is_shown_in_the_active_language() -> None:
    stored = notes_join(note(N_SAME_LINE, line=7), note("{old} → {new}", old="1", new="2"))
    with translation.override("en"):
        assert note_display(stored) == "same as line 7; 1 → 2"
    with translation.override("zh-hans"):
        assert note_display(stored) == "与第 7 行相同; 1 → 2"


def test_a_plain_note_is_shown_as_it_is() -> None:
    assert note_display("MIG-CONTRIB-DUPLICATE") == "MIG-CONTRIB-DUPLICATE"
    assert note_display("") == ""
    joined = notes_join("MIG-X", note(N_SAME_LINE, line=3))
    with translation.override("en"):
        assert note_display(joined) == "MIG-X; same as line 3"


def test_notes_that_would_not_fit_the_column_are_left_out() -> None:
    many = [note(N_SAME_LINE, line=n) for n in range(100)]
    stored = notes_join(*many)
    assert len(stored) <= MAX_LENGTH
    kept = json.loads(stored)
    assert 1 < len(kept) < 100
    assert kept[0] == [N_SAME_LINE, {"line": 0}]  # the first ones are kept, in order
