"""The bulk demo register: valid identifiers, one active pension relation each, idempotent."""

from __future__ import annotations

from shebao.core.identifiers import credit_code_is_valid, resident_id_is_valid
from shebao.registry.demo_bulk import DEMO_CODE_MARK, seed_bulk
from shebao.registry.models import Employer, InsuredRelation, Person


def test_bulk_register_is_valid_and_idempotent(demo):
    persons_before = Person.objects.count()
    counts = seed_bulk(employers=10, persons=300)
    assert counts is not None
    assert (counts.employers, counts.persons) == (10, 300)
    assert Person.objects.count() == persons_before + 300
    demo_firms = Employer.objects.filter(credit_code__contains=DEMO_CODE_MARK)
    assert all(credit_code_is_valid(firm.credit_code) for firm in demo_firms)
    assert all(resident_id_is_valid(p.resident_id) for p in Person.objects.all())
    relations = InsuredRelation.objects.filter(employer__in=demo_firms)
    assert relations.count() == counts.relations
    for relation in relations.filter(end_period__isnull=False)[:200]:
        assert relation.end_period is not None
        assert relation.end_period >= relation.start_period
    assert seed_bulk(employers=10, persons=300) is None
    assert Person.objects.count() == persons_before + 300
