"""Employers, persons and insured relations: checked row by row (identifiers, references,
overlaps), then created in bulk and linked back to their staged rows.

These entities are a few per person; the contribution months, by far the largest file, are
loaded set-based in ``history``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_noop

from shebao.benefits.models import Death, DeathSource
from shebao.core.errors import RuleViolation
from shebao.core.identifiers import credit_code_check, resident_id_check
from shebao.core.periods import period_format
from shebao.migration import rules as r
from shebao.migration.load.common import LoadContext, PersonRef, employer_map, person_map
from shebao.migration.models import (
    Entity,
    LegacyEmployer,
    LegacyPerson,
    LegacyRelation,
    MigrationIssue,
    Outcome,
)
from shebao.migration.notes import N_PERSON, N_SAME_LINE, note, notes_join
from shebao.migration.reading import read_rows
from shebao.registry.models import (
    Employer,
    EmployerStatus,
    InsuredRelation,
    Person,
    RelationKind,
    RelationStatus,
    Scheme,
)

OPEN_END = 999912  # an open relation, for comparing spans


def load_employers(context: LoadContext) -> None:
    staged: list[LegacyEmployer] = []
    first_of: dict[str, LegacyEmployer] = {}
    for row in read_rows(context.delivered):
        v = row.values
        findings = r.Findings()
        code = ""
        try:
            code = credit_code_check(v["credit_code"])
        except RuleViolation:
            findings.add(
                r.USCC_INVALID, note(gettext_noop("credit code {code}"), code=v["credit_code"])
            )
        if code and code in first_of:
            findings.add(r.EMPLOYER_DUPLICATE, note(N_SAME_LINE, line=first_of[code].line))
        agency = context.agency_for(v["division_code"])
        staged_row = LegacyEmployer(
            file=context.file,
            city=context.city,
            line=row.line,
            raw=row.raw,
            outcome=findings.outcome,
            rules=findings.rules,
            note=findings.note,
            legacy_id=v["legacy_id"],
            credit_code=code or v["credit_code"],
            name=v["name"],
            division_code=v["division_code"] or "",
            risk_class=v["risk_class"] if v["risk_class"] in range(1, 9) else None,
            status=v["status"],
            agency=agency,
        )
        if code and code not in first_of:
            first_of[code] = staged_row
        staged.append(staged_row)
    existing = dict(
        Employer.objects.filter(credit_code__in=list(first_of)).values_list("credit_code", "pk")
    )
    new = [
        Employer(
            credit_code=code,
            name=row.name,
            division_code=row.division_code,
            risk_class=row.risk_class,
            status=(
                EmployerStatus.DEREGISTERED
                if row.status == "deregistered"
                else EmployerStatus.ACTIVE
            ),
            managing_agency=row.agency,
        )
        for code, row in first_of.items()
        if code not in existing
    ]
    Employer.objects.bulk_create(new, batch_size=2000)
    ids = existing | dict(
        Employer.objects.filter(credit_code__in=[e.credit_code for e in new]).values_list(
            "credit_code", "pk"
        )
    )
    for employer in staged:
        if employer.outcome != Outcome.REJECTED:
            employer.target_id = ids[employer.credit_code]
            if employer.credit_code in existing and employer is first_of[employer.credit_code]:
                employer.note = notes_join(
                    employer.note, note(gettext_noop("matched the province's record"))
                )
    LegacyEmployer.objects.bulk_create(staged, batch_size=2000)
    context.audit("employers", {"new": len(new), "matched": len(existing), "rows": len(staged)})


@dataclass
class _PersonRow:
    staged: LegacyPerson
    first: LegacyPerson | None = None  # the earlier row of the same ID
    same_as: LegacyPerson | None = None  # the earlier row that looks like the same person


def load_persons(context: LoadContext) -> None:
    rows: list[_PersonRow] = []
    by_id: dict[str, LegacyPerson] = {}
    by_look: dict[tuple[str, date, str, str], LegacyPerson] = {}
    for row in read_rows(context.delivered):
        staged, findings = _person_row(context, row.line, row.raw, row.values)
        item = _PersonRow(staged)
        number = staged.resident_id_18
        if number and number in by_id:
            item.first = by_id[number]
            name, other = staged.name, item.first.name
            outcome = Outcome.FIXED if name == other else Outcome.FLAGGED
            findings.add(
                r.PERSON_DUPLICATE,
                note(
                    gettext_noop("same ID as line {line} ({name})"),
                    line=item.first.line,
                    name=other,
                ),
                outcome,
            )
        elif number:
            by_id[number] = staged
            look = (staged.name, staged.birth_date, staged.sex, staged.phone)
            if staged.phone and look in by_look:
                item.same_as = by_look[look]
                findings.add(
                    r.PERSON_SAME,
                    note(gettext_noop("same person as line {line}?"), line=item.same_as.line),
                )
            else:
                by_look.setdefault(look, staged)
        staged.outcome, staged.rules, staged.note = findings.outcome, findings.rules, findings.note
        rows.append(item)
    existing = {
        p.resident_id: p for p in Person.objects.filter(resident_id__in=list(by_id)).only("name")
    }
    new = [
        Person(
            resident_id=number,
            name=staged.name,
            sex=staged.sex,
            birth_date=staged.birth_date,
            phone=staged.phone,
            address=staged.address,
            managing_agency_id=staged.agency_id or context.city.pk,
        )
        for number, staged in by_id.items()
        if number not in existing
    ]
    Person.objects.bulk_create(new, batch_size=2000)
    ids = {number: p.pk for number, p in existing.items()} | dict(
        Person.objects.filter(resident_id__in=[p.resident_id for p in new]).values_list(
            "resident_id", "pk"
        )
    )
    for item in rows:
        staged = item.staged
        if staged.outcome == Outcome.REJECTED:
            continue
        staged.target_id = ids[staged.resident_id_18]
        known = existing.get(staged.resident_id_18)
        if known is not None and item.first is None:
            staged.matched = True
            if known.name != staged.name:
                staged.outcome = Outcome.FLAGGED
                staged.rules = ",".join(filter(None, [staged.rules, r.PERSON_DUPLICATE]))
                staged.note = note(gettext_noop("the province holds {name}"), name=known.name)
    LegacyPerson.objects.bulk_create([item.staged for item in rows], batch_size=2000)
    _person_issues(context, rows, existing)
    deaths = _deaths(context, [item.staged for item in rows])
    context.audit(
        "persons",
        {"new": len(new), "matched": len(existing), "rows": len(rows), "deaths": deaths},
    )


def _person_row(
    context: LoadContext, line: int, raw: list[str], v: dict[str, Any]
) -> tuple[LegacyPerson, r.Findings]:
    findings = r.Findings()
    number = ""
    birth, sex = v["birth_date"], v["sex"]
    try:
        info = resident_id_check(v["resident_id"])
    except RuleViolation as exc:
        code = r.ID_CHECKSUM if exc.code == "REG-ID-CHECKSUM" else r.ID_FORMAT
        findings.add(code, note("{code}: {number}", code=exc.code, number=v["resident_id"]))
    else:
        number = info.number
        if info.upgraded_from:
            findings.add(r.ID_15, note("{old} → {new}", old=info.upgraded_from, new=number))
        if info.birth_date != birth:
            findings.add(
                r.ID_BIRTH,
                note(gettext_noop("birth {old} → {new}"), old=birth, new=info.birth_date),
            )
            birth = info.birth_date
        if info.sex != sex:
            findings.add(r.ID_SEX, note(gettext_noop("sex {old} → {new}"), old=sex, new=info.sex))
            sex = info.sex
    staged = LegacyPerson(
        file=context.file,
        city=context.city,
        line=line,
        raw=raw,
        legacy_id=v["legacy_id"],
        resident_id=v["resident_id"],
        resident_id_18=number,
        name=v["name"],
        sex=sex,
        birth_date=birth,
        phone=v["phone"] or "",
        address=v["address"] or "",
        died_on=v["died_on"],
        agency=context.agency_for(number[:6] if number else None),
    )
    return staged, findings


def _person_issues(
    context: LoadContext, rows: list[_PersonRow], existing: dict[str, Person]
) -> None:
    issues = []
    for item in rows:
        staged = item.staged
        if staged.outcome != Outcome.FLAGGED or staged.target_id is None:
            continue
        if item.same_as is not None and item.same_as.target_id is not None:
            issues.append(
                MigrationIssue(
                    city=context.city,
                    rule=r.PERSON_SAME,
                    entity=Entity.PERSONS,
                    staged_id=staged.pk,
                    person_id=item.same_as.target_id,
                    other_person_id=staged.target_id,
                    detail={"line": staged.line, "other_line": item.same_as.line},
                )
            )
        elif r.PERSON_DUPLICATE in staged.rules:
            other = item.first.name if item.first else existing[staged.resident_id_18].name
            issues.append(
                MigrationIssue(
                    city=context.city,
                    rule=r.PERSON_DUPLICATE,
                    entity=Entity.PERSONS,
                    staged_id=staged.pk,
                    person_id=staged.target_id,
                    detail={"line": staged.line, "name": other, "city_name": staged.name},
                )
            )
    MigrationIssue.objects.bulk_create(issues, batch_size=2000, ignore_conflicts=True)


def _deaths(context: LoadContext, staged: list[LegacyPerson]) -> int:
    """A death the city recorded becomes the province's death registration."""
    dead = {
        row.target_id: (row.died_on, row.legacy_id)
        for row in staged
        if row.died_on is not None and row.target_id is not None and not row.matched
    }
    known = set(Death.objects.filter(person_id__in=list(dead)).values_list("person_id", flat=True))
    created = Death.objects.bulk_create(
        Death(
            person_id=person_id,
            died_on=died_on,
            source=DeathSource.OTHER,
            reference=f"{context.source}:{legacy_id}",
            recorded_by=context.actor.username,
        )
        for person_id, (died_on, legacy_id) in dead.items()
        if person_id not in known
    )
    return len(created)


_STATUSES = {s.value for s in RelationStatus}


def load_relations(context: LoadContext) -> None:
    persons = person_map(context.city)
    employers = employer_map(context.city)
    staged: list[LegacyRelation] = []
    for row in read_rows(context.delivered):
        staged.append(_relation_row(context, row.line, row.raw, row.values, persons, employers))
    overlaps = _overlaps(context, staged, persons)
    keep = [s for s in staged if s.outcome != Outcome.REJECTED and s.person_id is not None]
    employer_agency = dict(
        Employer.objects.filter(pk__in={s.employer_id for s in keep if s.employer_id}).values_list(
            "pk", "managing_agency_id"
        )
    )
    person_agency = {ref.person_id: ref.agency_id or context.city.pk for ref in persons.values()}
    relations = [
        InsuredRelation(
            person_id=s.person_id or 0,
            scheme=s.scheme,
            employer_id=s.employer_id,
            kind=RelationKind.EMPLOYEE if s.employer_id else RelationKind.FLEXIBLE,
            start_period=s.start_period,
            end_period=s.end_period,
            status=s.status,
            start_reason="migrated",
            end_reason="migrated" if s.end_period else "",
            agency_id=employer_agency.get(s.employer_id or 0) or person_agency[s.person_id or 0],
        )
        for s in keep
    ]
    InsuredRelation.objects.bulk_create(relations, batch_size=2000)
    for s, relation in zip(keep, relations, strict=True):
        s.target_id = relation.pk
    LegacyRelation.objects.bulk_create(staged, batch_size=2000)
    MigrationIssue.objects.bulk_create(
        [
            MigrationIssue(
                city=context.city,
                rule=r.RELATION_OVERLAP,
                entity=Entity.RELATIONS,
                staged_id=s.pk,
                person_id=s.person_id or 0,
                relation_id=s.target_id,
                other_relation_id=other if isinstance(other, int) else other.target_id,
                detail={"line": s.line},
            )
            for s, other in overlaps
        ],
        ignore_conflicts=True,
    )
    context.audit("relations", {"new": len(relations), "rows": len(staged)})


def _relation_row(
    context: LoadContext,
    line: int,
    raw: list[str],
    v: dict[str, Any],
    persons: dict[str, PersonRef],
    employers: dict[str, int],
) -> LegacyRelation:
    findings = r.Findings()
    person = persons.get(v["person_id"])
    if person is None:
        findings.add(r.PERSON_MISSING, note(N_PERSON, person=v["person_id"]))
    employer_id = None
    if v["employer_id"]:
        employer_id = employers.get(v["employer_id"])
        if employer_id is None:
            findings.add(
                r.EMPLOYER_MISSING,
                note(gettext_noop("employer {employer}"), employer=v["employer_id"]),
            )
    end = v["end_period"]
    if end is not None and end < v["start_period"]:
        findings.add(r.RELATION_PERIODS, note("{start}–{end}", start=v["start_period"], end=end))
    status = v["status"] if v["status"] in _STATUSES else ("ended" if end else "active")
    return LegacyRelation(
        file=context.file,
        city=context.city,
        line=line,
        raw=raw,
        outcome=findings.outcome,
        rules=findings.rules,
        note=findings.note,
        legacy_id=v["legacy_id"],
        person_ref=v["person_id"],
        employer_ref=v["employer_id"] or "",
        scheme=v["scheme"],
        start_period=v["start_period"],
        end_period=end,
        status=status,
        person_id=person.person_id if person else None,
        employer_id=employer_id,
    )


def _overlaps(
    context: LoadContext, staged: list[LegacyRelation], persons: dict[str, PersonRef]
) -> list[tuple[LegacyRelation, LegacyRelation | int]]:
    """Flag a pension relation that overlaps another of the person, in this file or already in
    the province; one that would be the person's second active relation is loaded suspended
    (the province allows one) until a clerk chooses."""
    matched = {ref.person_id for ref in persons.values() if ref.matched}
    pension = [
        s
        for s in staged
        if s.scheme == Scheme.PENSION and s.outcome != Outcome.REJECTED and s.person_id
    ]
    held: dict[int, list[tuple[int, int, str, int | LegacyRelation]]] = {}
    province = InsuredRelation.objects.filter(
        scheme=Scheme.PENSION, person_id__in=list({s.person_id for s in pension} & matched)
    ).values_list("person_id", "start_period", "end_period", "status", "pk")
    for person_id, start, end, status, pk in province:
        held.setdefault(person_id, []).append((start, end or OPEN_END, status, pk))
    found: list[tuple[LegacyRelation, LegacyRelation | int]] = []
    for s in sorted(pension, key=lambda s: (s.person_id or 0, s.start_period, s.line)):
        assert s.person_id is not None
        end = s.end_period or OPEN_END
        spans = held.setdefault(s.person_id, [])
        other = next((span for span in spans if span[0] <= end and s.start_period <= span[1]), None)
        if other is not None:
            in_file = isinstance(other[3], LegacyRelation)
            findings = r.Findings(s.outcome, s.rules.split(",") if s.rules else None, None)
            until = "…" if other[1] == OPEN_END else period_format(other[1])
            findings.add(
                r.RELATION_OVERLAP,
                note(
                    gettext_noop("overlaps {start}–{end} (this file)")
                    if in_file
                    else gettext_noop("overlaps {start}–{end} (the province)"),
                    start=period_format(other[0]),
                    end=until,
                ),
            )
            s.outcome, s.rules = findings.outcome, findings.rules
            s.note = notes_join(s.note, findings.note)
            if s.status == RelationStatus.ACTIVE and any(
                span[2] == RelationStatus.ACTIVE for span in spans
            ):
                s.status = RelationStatus.SUSPENDED
                s.note = notes_join(s.note, note(gettext_noop("loaded suspended")))
            found.append((s, other[3]))
        spans.append((s.start_period, end, s.status, s))
    return found
