"""The contribution months (缴费明细), the largest file: each row is resolved to its person
while it streams into the staging table (COPY on PostgreSQL); the rules that compare rows —
duplicates, months the province already holds — and the load itself are set-based SQL over
the staged rows of the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.utils.translation import gettext_noop

from shebao.contributions.models import AssessmentLine, HistoricalContribution
from shebao.migration import rules as r
from shebao.migration.load.common import LoadContext, PersonRef, bulk_insert, person_map
from shebao.migration.models import LegacyContribution, Outcome
from shebao.migration.notes import N_PERSON, note
from shebao.migration.reading import read_rows

STAGED = LegacyContribution._meta.db_table
# A row that passed the per-row rules is staged as loaded at once, and the few that the
# set-based rules then refuse are updated: rewriting a million staged rows at the end to
# say "loaded" would cost more than the load itself. All of it is one transaction, so no
# other reader ever sees a row marked loaded that is not.
CANDIDATE = Outcome.LOADED
HISTORY = HistoricalContribution._meta.db_table
LINES = AssessmentLine._meta.db_table
COLUMNS = (
    "file_id",
    "city_id",
    "line",
    "raw",
    "outcome",
    "rules",
    "note",
    "person_ref",
    "employer_ref",
    "scheme",
    "period",
    "base_fen",
    "employer_fen",
    "individual_fen",
    "account_credit_fen",
    "person_id",
)


def load_contributions(context: LoadContext) -> None:
    assert context.file is not None
    # The map is read before the COPY starts: the connection serves nothing else during it.
    persons = person_map(context.city)
    staged = bulk_insert(STAGED, COLUMNS, _staged_rows(context, persons))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written in this transaction are not yet in the planner's statistics:
            # without them it joins a million rows by nested loops.
            cursor.execute(f"ANALYZE {STAGED}")
        candidates = f"""SELECT s.id FROM {STAGED} s
            WHERE s.file_id = %(file)s AND s.outcome = %(candidate)s"""  # noqa: S608
        duplicates = _reject(
            cursor,
            context,
            r.CONTRIB_DUPLICATE,
            f"""SELECT id FROM (
                  SELECT id, ROW_NUMBER() OVER (
                      PARTITION BY person_id, scheme, period ORDER BY line) AS n
                  FROM {STAGED} WHERE file_id = %(file)s AND outcome = %(candidate)s) d
                WHERE d.n > 1""",  # noqa: S608 - our table names only
        )
        exists = _reject(
            cursor,
            context,
            r.CONTRIB_EXISTS,
            f"""{candidates} AND EXISTS (SELECT 1 FROM {HISTORY} h
                    WHERE h.person_id = s.person_id AND h.scheme = s.scheme
                    AND h.period = s.period)
                UNION
                {candidates} AND EXISTS (SELECT 1 FROM {LINES} l
                    WHERE l.person_id = s.person_id AND l.period = s.period
                    AND l.scheme = s.scheme)""",  # noqa: S608 - our table names only
        )
        cursor.execute(
            f"""INSERT INTO {HISTORY} (person_id, scheme, period, base_fen, employer_fen,
                                       individual_fen, account_credit_fen, source)
                SELECT person_id, scheme, period, base_fen, employer_fen, individual_fen,
                       account_credit_fen, %(source)s
                FROM {STAGED} WHERE file_id = %(file)s AND outcome = %(candidate)s""",  # noqa: S608
            {"source": context.source, "file": context.file.pk, "candidate": CANDIDATE},
        )
        loaded = cursor.rowcount
    context.audit(
        "contributions",
        {"rows": staged, "loaded": loaded, "duplicates": duplicates, "already_held": exists},
    )


def _reject(cursor: Any, context: LoadContext, code: str, offending: str) -> int:
    """Mark as rejected by ``code`` the staged rows whose ids ``offending`` selects."""
    assert context.file is not None
    cursor.execute(
        f"""UPDATE {STAGED} AS t SET outcome = %(rejected)s, rules = %(code)s, note = %(code)s
            FROM ({offending}) AS d WHERE t.id = d.id""",  # noqa: S608 - our SQL only
        {
            "rejected": Outcome.REJECTED,
            "code": code,
            "file": context.file.pk,
            "candidate": CANDIDATE,
        },
    )
    return int(cursor.rowcount)


def _staged_rows(context: LoadContext, persons: dict[str, PersonRef]) -> Iterator[tuple[Any, ...]]:
    assert context.file is not None
    file_id, city_id = context.file.pk, context.city.pk
    for row in read_rows(context.delivered):
        v = row.values
        person = persons.get(v["person_id"])
        outcome, rule, why = CANDIDATE, "", ""
        if person is None:
            outcome, rule, why = (
                Outcome.REJECTED,
                r.PERSON_MISSING,
                note(N_PERSON, person=v["person_id"]),
            )
        elif person.death_period is not None and v["period"] > person.death_period:
            outcome, rule = Outcome.REJECTED, r.CONTRIB_AFTER_DEATH
            why = note(gettext_noop("died {period}"), period=person.death_period)
        yield (
            file_id,
            city_id,
            row.line,
            json.dumps(row.raw, ensure_ascii=False),
            outcome,
            rule,
            why,
            v["person_id"],
            v["employer_id"] or "",
            v["scheme"],
            v["period"],
            v["base"],
            v["employer_amount"],
            v["individual_amount"],
            v["account_credit"],
            person.person_id if person else None,
        )
