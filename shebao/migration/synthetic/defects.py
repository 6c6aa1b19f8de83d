"""Defect injection: each defect on a distinct person, employer, relation or row that is
otherwise clean, so that each is found by exactly its rule and by nothing else."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from shebao.migration.synthetic.amounts import (
    FIRST_PERIOD,
    LAST_PERIOD,
    PENSION,
    UNEMPLOYMENT,
    WORK_INJURY,
    add_months,
    month_span,
)
from shebao.migration.synthetic.manifest import (
    EMPLOYER_MISSING,
    ID_15,
    ID_BIRTH,
    ID_CHECKSUM,
    PERSON_DUPLICATE,
    REL_OVERLAP,
    RETIREE_PARTS,
    SAME_PERSON,
    USCC_INVALID,
    DefectRates,
    defect_count,
)
from shebao.migration.synthetic.register import (
    GIVEN,
    SURNAMES,
    USCC_ALPHABET,
    _City,
    _Person,
    _Register,
    _Relation,
)


class NotEnoughData(ValueError):
    """Too few persons for the defects asked: generate more persons or lower the rates."""


class _Injector:
    """Injects each defect into distinct, so far clean persons, employers or rows.

    A defect's row must be found by its rule and by no other, hence the candidates: a 15-digit
    ID only for those born in the 1900s, a relation overlap only where there is one, a second
    work-injury spell only where it cannot collide with the first record's months.
    """

    def __init__(
        self,
        rng: random.Random,
        city: _City,
        register: _Register,
        rates: DefectRates,
        other_city: str | None,
    ) -> None:
        self.rng = rng
        self.city = city
        self.register = register
        self.rates = rates
        self.other_city = other_city
        self.base = list(city.persons)
        self.touched: set[str] = set()
        self.extras: list[_Person] = []
        self.neighbours: list[_Person] = []  # the persons of the other city's delivery
        self.gone = 0  # employer numbers given to relations whose employer is in no file

    def inject(self) -> None:
        rates, persons = self.rates, len(self.base)
        retirees = sum(1 for p in self.base if p.retiree is not None)
        relations = sum(len(p.relations) for p in self.base)
        accounts = sum(1 for p in self.base if p.has_account)
        self.each(rates.retiree_parts, retirees, self.is_retiree, self.retiree_parts)
        self.each(rates.checksum, persons, self.anyone, self.checksum)
        self.each(rates.id15, persons, self.born_1900s, self.id15)
        self.each(rates.birth, persons, self.anyone, self.birth)
        self.each(rates.duplicate_name, persons, self.has_spare_months, self.duplicate_name)
        self.each(rates.same_person, persons, self.has_spare_months, self.same_person)
        self.each(rates.employer_missing, relations, self.employed, self.employer_missing)
        self.each(rates.overlap_in_file, persons, self.can_overlap, self.overlap_in_file)
        if self.other_city is not None:
            self.each(rates.overlap_other_city, persons, self.active, self.overlap_other_city)
        self.each(rates.after_death, persons, self.can_die, self.after_death)
        self.each(rates.account_mismatch, accounts, self.has_account, self.account_mismatch)
        self.city.persons = self.base + self.extras
        # Rows are duplicated last, out of all the rows the plan now holds.
        rows = sum(r.rows for p in self.city.persons for r in p.relations)
        self.each(rates.contrib_duplicate, rows, self.employed, self.contrib_duplicate)
        self.uscc_invalid(defect_count(rates.uscc_invalid, len(self.city.employers)))

    def each(
        self,
        rate: float,
        population: int,
        fits: Callable[[_Person], bool],
        inject: Callable[[_Person], None],
    ) -> None:
        for person in self.draw(defect_count(rate, population), fits):
            inject(person)

    def draw(self, count: int, fits: Callable[[_Person], bool]) -> list[_Person]:
        if count == 0:
            return []
        candidates = [p for p in self.base if p.legacy_id not in self.touched and fits(p)]
        if len(candidates) < count:
            raise NotEnoughData(
                f"{count} defects asked but only {len(candidates)} clean persons fit: "
                "generate more persons or lower the rates"
            )
        chosen = self.rng.sample(candidates, count)
        self.touched.update(p.legacy_id for p in chosen)
        return chosen

    # Candidate tests.

    @staticmethod
    def anyone(person: _Person) -> bool:
        return True

    @staticmethod
    def is_retiree(person: _Person) -> bool:
        return person.retiree is not None

    @staticmethod
    def born_1900s(person: _Person) -> bool:
        # The 15-digit form drops the "19" of the year: it cannot hold a birth in 2000.
        return person.birth.year <= 1999

    @staticmethod
    def active(person: _Person) -> bool:
        return person.retiree is None

    @staticmethod
    def employed(person: _Person) -> bool:
        # Has unemployment and work-injury relations (a flexible worker has only pension).
        return not person.flexible

    @staticmethod
    def has_account(person: _Person) -> bool:
        return person.has_account

    @staticmethod
    def has_spare_months(person: _Person) -> bool:
        # A second work-injury spell fits before the first record's, or anywhere when the
        # first record has none (a flexible worker).
        return person.retiree is None and (
            person.flexible or person.start >= add_months(FIRST_PERIOD, 3)
        )

    def can_overlap(self, person: _Person) -> bool:
        # The second spell starts 6 months in and lasts 12, all of it before 2026.
        return (
            person.retiree is None
            and not person.flexible
            and person.start <= 202312
            and len(self.city.employers) > 1
        )

    @staticmethod
    def can_die(person: _Person) -> bool:
        # Paying before the earliest death month (202312), with unemployment and work-injury
        # months to continue after it.
        return person.retiree is None and not person.flexible and person.start <= 202309

    # The defects.

    def retiree_parts(self, person: _Person) -> None:
        retiree = person.retiree
        assert retiree is not None
        retiree.transitional_fen += self.rng.randint(1, 1000) * self.rng.choice((-1, 1))
        retiree.tag = RETIREE_PARTS

    def checksum(self, person: _Person) -> None:
        right = person.resident_id[-1]
        wrong = self.rng.choice([c for c in "0123456789X" if c != right])
        person.written_id = person.resident_id[:17] + wrong
        person.tag = ID_CHECKSUM

    def id15(self, person: _Person) -> None:
        # The legacy form: no "19" in the year and no check character.
        person.written_id = person.resident_id[:6] + person.resident_id[8:17]
        person.tag = ID_15

    def birth(self, person: _Person) -> None:
        shift = self.rng.randint(1, 400) * self.rng.choice((-1, 1))
        person.written_birth = person.birth + timedelta(days=shift)
        person.tag = ID_BIRTH

    def duplicate_name(self, first: _Person) -> None:
        name = self.changed_name(first.name)
        second = self.second_record(first, first.resident_id, name, PERSON_DUPLICATE)
        second.note = {"duplicate_of": first.legacy_id}

    def same_person(self, first: _Person) -> None:
        areas = [a for a in self.register.profile.areas if a != first.resident_id[:6]]
        area = self.rng.choice(areas) if areas else None
        resident_id = self.register.new_id(first.birth, first.sex, area=area)
        second = self.second_record(first, resident_id, first.name, SAME_PERSON)
        second.note = {"same_as": first.legacy_id}

    def changed_name(self, name: str) -> str:
        position = self.rng.randrange(len(name))
        pool = SURNAMES if position == 0 else GIVEN
        other = self.rng.choice([c for c in pool if c != name[position]])
        return name[:position] + other + name[position + 1 :]

    def second_record(self, first: _Person, resident_id: str, name: str, kind: str) -> _Person:
        """A second persons row for the same human with only an ended work-injury spell,
        whose months cannot collide with the first record's work-injury months."""
        start, end = self.spare_spell(first)
        employer = self.rng.choice([e for e in self.city.employers if not e.tag]).legacy_id
        number = len(self.base) + len(self.extras) + 1
        second = _Person(
            legacy_id=f"P{number:06d}",
            resident_id=resident_id,
            name=name,
            sex=first.sex,
            birth=first.birth,
            phone=first.phone,
            address=first.address,
            bases=self.register.bases(start // 100),
            relations=[_Relation(WORK_INJURY, employer, start, end, "ended", employer, end)],
            tag=kind,
        )
        self.extras.append(second)
        return second

    def spare_spell(self, first: _Person) -> tuple[int, int]:
        rng = self.rng
        if first.relation(WORK_INJURY) is None:
            start = add_months(FIRST_PERIOD, rng.randrange(6))
            return start, add_months(start, rng.randint(2, 5))
        room = month_span(FIRST_PERIOD, add_months(first.start, -1))
        length = rng.randint(3, min(24, room))
        end = add_months(first.start, -1 - rng.randint(0, room - length))
        return add_months(end, 1 - length), end

    def employer_missing(self, person: _Person) -> None:
        relation = person.relation(UNEMPLOYMENT)
        assert relation is not None
        self.gone += 1
        # Only the relation names the vanished employer: its months keep who paid them.
        relation.employer_id = f"E-GONE-{self.gone:04d}"
        relation.tag = EMPLOYER_MISSING

    def overlap_in_file(self, person: _Person) -> None:
        first = person.relation(PENSION)
        assert first is not None
        others = [e for e in self.city.employers if e.legacy_id != first.employer_id and not e.tag]
        employer = self.rng.choice(others).legacy_id
        start = add_months(first.start, 6)
        second = _Relation(PENSION, employer, start, add_months(start, 11), "ended", employer, None)
        second.tag = REL_OVERLAP
        second.note = {"against": "file"}
        second.overlaps = first
        person.relations.insert(person.relations.index(first) + 1, second)

    def overlap_other_city(self, person: _Person) -> None:
        assert self.other_city is not None
        relation = person.relation(PENSION)
        assert relation is not None
        neighbour = _Person(
            legacy_id=f"P{len(self.neighbours) + 1:06d}",
            resident_id=person.resident_id,
            name=person.name,
            sex=person.sex,
            birth=person.birth,
            phone=person.phone,
            address="",
            bases={},
        )
        # The other city's relation is still open, started before this city's first month.
        start = add_months(201401, self.rng.randrange(24))
        other = _Relation(PENSION, "", start, None, "active", paid_by="", paid_to=None)
        other.note = {"other_person_id": person.legacy_id}
        neighbour.relations = [other]
        self.neighbours.append(neighbour)
        relation.tag = REL_OVERLAP
        relation.note = {"against": self.other_city, "other_person_id": neighbour.legacy_id}

    def after_death(self, person: _Person) -> None:
        rng = self.rng
        death = add_months(LAST_PERIOD, -rng.randint(3, 24))
        person.died_on = date(death // 100, death % 100, rng.randint(1, 28))
        for relation in person.relations:
            if relation.scheme == PENSION:
                relation.end = relation.paid_to = death
                relation.status = "deceased"
            else:
                # The employer kept declaring unemployment and work injury for three months.
                relation.end = relation.paid_to = add_months(death, 3)
                relation.status = "ended"

    def account_mismatch(self, person: _Person) -> None:
        person.mismatch_fen = self.rng.randint(100, 50_000) * self.rng.choice((-1, 1))

    def contrib_duplicate(self, person: _Person) -> None:
        relation = self.rng.choice(
            [r for r in person.relations if r.scheme != PENSION and r.paid_to]
        )
        assert relation.paid_to is not None
        period = add_months(relation.start, self.rng.randrange(relation.rows))
        person.duplicate_rows.add((relation.scheme, period))

    def uscc_invalid(self, count: int) -> None:
        employers = self.city.employers
        for number in range(len(employers) + 1, len(employers) + count + 1):
            employer = self.register.employer(number)
            right = employer.credit_code[-1]
            wrong = self.rng.choice([c for c in USCC_ALPHABET if c != right])
            employer.credit_code = employer.credit_code[:17] + wrong
            employer.tag = USCC_INVALID
            employers.append(employer)
