"""Demo of the death of a participant, seeded last (after the other benefits):

1. the base M of 2026 (the province's 2025 monthly urban per-capita disposable income) is not
   published in our sources (null in ``parameters/``), so the demo enters a PLACEHOLDER through
   the parameter store's maker-checker path, marked unverified and named as demo data: it is
   rules.md §8's example figure 2,818.50, not Hubei's published one;
2. a working participant of Maojian (苏建国, a flexible worker made by this demo) dies on
   2026-10-20, registered at the counter by ``clerk_maojian``: the pension relation ends with
   October; a city system's history gives 195 contribution months (1996-01 to 2012-03), the
   personnel file 60 deemed months, 21 years 3 months in all, so
   the SBBN009 case ``clerk_maojian`` prepares for the widow reproduces the rules' example
   (survivor payment 42,982.13, funeral subsidy 5,637.00) and waits for ``reviewer_maojian``;
3. the inheritance of the same person's account by two heirs (2/3 and 1/3) waits for
   ``reviewer_maojian`` too;
4. the retiree the lifecycle demo's comparison file reported dead on 2026-09-14 gets the
   SBBN009 case the death opened filled in. That retiree is paid by Zhangwan, where no demo
   clerk holds the benefit items, so the demo seed itself prepares it (a system actor): it
   waits for ``reviewer_zhangwan``.

Deterministic and idempotent: each step looks for what it made before making it again.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from shebao.accounts.models import EntryKind
from shebao.accounts.services.journal import entry_post
from shebao.benefits.models import Death, Inheritance
from shebao.benefits.services.benefits import Payee
from shebao.benefits.services.death_benefits import (
    INCOME_BASE_KEY,
    applicant_payee,
    death_benefit_case_of,
    death_benefit_prepare,
    participant_death_register,
)
from shebao.benefits.services.inheritance import (
    heirs_check,
    inheritance_request,
    open_inheritance_case,
)
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import Actor, staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.periods import period_add, period_range
from shebao.registry.models import InsuredRelation, Person, RelationKind, RelationStatus, Scheme
from shebao.registry.services.persons import person_create
from shebao.rules.demo import placeholder_value_enter
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

DISTRICT = "420302"
DIED_ON = date(2026, 10, 20)
DEATH_REFERENCE = "演示死亡证明 demo 420302-2026-0001"
DEEMED_MONTHS = 60
TOTAL_MONTHS = 21 * 12 + 3  # rules.md §8's example
HISTORY_SOURCE = "demo: city system"
HISTORY_BASE_FEN = 450000
WORKER_BODY = "42030219700312047"  # the check character is added
WORKER_NAME = "苏建国"
WORKER_BALANCE_FEN = 12000000
RETIREE_DIED_ON = date(2026, 9, 14)  # the lifecycle demo's comparison file

M_YEAR = 2026
M_PLACEHOLDER = "2818.50"
M_REFERENCE = "演示数据 demo placeholder, not a published figure"
M_NOTE = (
    "DEMO PLACEHOLDER entered by the demo seed so a death benefit can be shown: rules.md §8's "
    "example figure, not Hubei's 2025 monthly urban per-capita disposable income. An "
    "administrator replaces it from the statistics bureau's bulletin."
)


def seed_demo() -> None:
    district = Agency.objects.filter(code=DISTRICT).first()
    if district is None:
        return
    _income_base()
    clerk = staff_actor("clerk_maojian")
    person = _deceased_worker(clerk, district)
    if person is not None:
        _death_benefit(clerk, person, _relative(person, "spouse", 1), DEEMED_MONTHS)
        _inheritance(clerk, person)
    retiree = (
        Death.objects.filter(died_on=RETIREE_DIED_ON, person__pension__isnull=False)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if retiree is not None:
        payee = _relative(retiree.person, "child", 2)
        _death_benefit(system_actor("seed_demo"), retiree.person, payee, None)


def _income_base() -> None:
    """M for deaths in 2026, proposed by ``policy_hubei`` and approved by ``admin``."""
    placeholder_value_enter(
        key=INCOME_BASE_KEY,
        region="420000",
        effective_from=date(M_YEAR, 1, 1),
        value_text=M_PLACEHOLDER,
        reference=M_REFERENCE,
        note=M_NOTE,
    )


def _deceased_worker(clerk: Actor, district: Agency) -> Person | None:
    """The demo's working participant, made once and registered dead once."""
    death = Death.objects.filter(reference=DEATH_REFERENCE).select_related("person").first()
    if death is not None:
        return death.person
    person = _demo_worker(district)
    if Death.objects.filter(person=person).exists():
        return None  # someone registered another death for the demo's person: leave it
    participant_death_register(
        actor=clerk, person=person, died_on=DIED_ON, reference=DEATH_REFERENCE
    )
    return person


def _demo_worker(district: Agency) -> Person:
    """A flexible worker of Maojian insured since 1996: a city system recorded 195 months
    (1996-01 to 2012-03) and the account balance at the end of 2025; the personnel file gives
    60 deemed months, entered by the clerk on the death-benefit page."""
    resident_id = resident_id_with_check(WORKER_BODY)
    person = Person.objects.filter(resident_id=resident_id).first()
    if person is not None:
        return person
    system = system_actor("seed_demo")
    person = person_create(actor=system, resident_id=resident_id, name=WORKER_NAME, agency=district)
    months = period_range(199601, period_add(199601, TOTAL_MONTHS - DEEMED_MONTHS - 1))
    with transaction.atomic(durable=True):
        InsuredRelation.objects.create(
            person=person,
            scheme=Scheme.PENSION,
            kind=RelationKind.FLEXIBLE,
            start_period=199601,
            status=RelationStatus.ACTIVE,
            start_reason="new",
            agency=district,
        )
        HistoricalContribution.objects.bulk_create(
            HistoricalContribution(
                person=person,
                scheme=Scheme.PENSION,
                period=period,
                base_fen=HISTORY_BASE_FEN,
                source=HISTORY_SOURCE,
            )
            for period in months
        )
        entry_post(
            actor=system,
            person=person,
            kind=EntryKind.MIGRATED,
            amount_fen=WORKER_BALANCE_FEN,
            # At the end of 2025 like every demo account, so accounts_verify agrees.
            year=2025,
            month=12,
            source=HISTORY_SOURCE,
            key=f"demo:death:{person.resident_id}:migrated",
            note="balance at the end of 2025 in the city system",
        )
        audit_record(
            actor=system,
            action="death.demo_history",
            target=person,
            target_agency=district,
            after={"months": len(months), "balance_fen": WORKER_BALANCE_FEN},
        )
    return person


def _relative(person: Person, relation: str, n: int) -> Payee:
    birth = date(1975, 5, 1) if relation == "spouse" else date(1998, 3, 1)
    body = f"{DISTRICT}{birth:%Y%m%d}{(person.pk * 7 + n) % 1000:03d}"
    return Payee(
        name=f"{person.name[0]}{'秀兰' if relation == 'spouse' else '晓明'}",
        resident_id=resident_id_with_check(body),
        relation=relation,
        bank_name="中国农业银行十堰分行",
        bank_account=f"62284{person.pk:09d}{n:05d}",
    )


def _death_benefit(actor: Actor, person: Person, payee: Payee, deemed: int | None) -> None:
    case = death_benefit_case_of(person)
    if case is None or case.status != CaseStatus.ACCEPTED or case.data.get("claim"):
        return
    checked = applicant_payee(
        person=person,
        name=payee.name,
        resident_id=payee.resident_id,
        relation=payee.relation,
        bank_name=payee.bank_name,
        bank_account=payee.bank_account,
    )
    death_benefit_prepare(actor=actor, case=case, payee=checked, deemed_months=deemed)


def _inheritance(clerk: Actor, person: Person) -> None:
    if open_inheritance_case(person) is not None or Inheritance.objects.filter(person=person):
        return
    rows = []
    for payee, share in (
        (_relative(person, "spouse", 1), "2/3"),
        (_relative(person, "child", 2), "1/3"),
    ):
        rows.append(
            {
                "name": payee.name,
                "resident_id": payee.resident_id,
                "relation": payee.relation,
                "share": share,
                "bank_name": payee.bank_name,
                "bank_account": payee.bank_account,
            }
        )
    case = inheritance_request(actor=clerk, person=person, heirs=heirs_check(person, rows))
    case_transition(actor=clerk, case=case, action="send_for_review")
