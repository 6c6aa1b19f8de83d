"""Death at work (工亡待遇申领, SBBN033): the funeral subsidy, the one-time death subsidy and a
survivor pension for each dependant, capped together at the own wage (rules.md §7.4,
工伤保险条例 art. 39). A reviewed case: the preview is stored with it, the approval works the
figures out again, stops whatever the deceased still drew and opens the benefits.

The funeral subsidy is one per person across schemes (社会保险法 art. 49):
``services.benefits.benefit_open`` refuses a second one, and the request refuses early.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.benefits.models import Benefit, BenefitKind, Death, DeathSource, Injury
from shebao.benefits.services.benefits import (
    Payee,
    benefit_open,
    benefits_stop_all,
    funeral_grant_of,
)
from shebao.benefits.services.death import death_register
from shebao.benefits.services.work_injury import (
    ITEM_DEATH,
    case_injury_locked,
    ensure_staff,
    figures_unchanged,
    finished_case,
    own_wage_limits,
    pending_case,
)
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Scheme
from shebao.registry.services.common import open_request
from shebao.rules.calculators.work_injury import (
    DeathAtWorkRules,
    Dependant,
    death_at_work_benefits,
)
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import Case
from shebao.services.services import case_record_link

register_rule(
    "WI-DEATH-NOT-FATAL",
    "该工伤未认定为因工死亡，不能申领工亡待遇。",
    "This injury was not recognised as a death at work: no death-at-work benefits.",
)
register_rule(
    "WI-DEATH-EXISTS",
    "该工伤的工亡待遇已核定（{receipt}）。",
    "The death-at-work benefits of this injury were already awarded ({receipt}).",
)
register_rule(
    "WI-DEATH-PENDING",
    "该工伤已有未办结的工亡待遇申领（{receipt}）。",
    "A death-at-work case of this injury is still open ({receipt}).",
)
register_rule(
    "WI-DEATH-DATE-DIFFERS",
    "已登记的死亡日期 {registered} 与工伤认定的死亡日期 {recognised} 不一致，请先核实。",
    "The registered date of death {registered} differs from the recognised one "
    "{recognised}: check it first.",
)
register_rule(
    "WI-SURVIVOR-DETAILS",
    "供养亲属/领取人“{name}”的信息不完整：须有姓名、有效的公民身份号码、关系和银行账户，且不能重复。",
    "The dependant or recipient '{name}' is incomplete: a name, a valid resident ID, the "
    "relation and a bank account are needed, and nobody twice.",
)
register_rule(
    "WI-SURVIVOR-IS-DECEASED",
    "供养亲属不能是工亡职工本人。",
    "A dependant cannot be the deceased worker.",
)


@dataclass(frozen=True)
class Survivor:
    """A dependant the deceased supported (供养亲属), who receives a survivor pension."""

    name: str
    resident_id: str
    relation: str  # spouse | child | parent | other
    orphan: bool = False
    lone_elderly: bool = False
    bank_name: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class Claimant:
    """The relative who receives the funeral subsidy and the one-time death subsidy."""

    name: str
    resident_id: str
    relation: str
    bank_name: str = ""
    bank_account: str = ""


def _checked_id(name: str, resident_id: str) -> str:
    try:
        return resident_id_check(resident_id).number
    except RuleViolation:
        raise RuleViolation("WI-SURVIVOR-DETAILS", name=name or "—") from None


def _check_people(
    injury: Injury, claimant: Claimant, survivors: list[Survivor]
) -> tuple[Claimant, list[Survivor]]:
    """Normalised IDs; every person complete, nobody twice, the deceased not among them."""
    people: list[Claimant | Survivor] = [claimant, *survivors]
    for person in people:
        complete = person.name.strip() and person.relation.strip()
        banked = person.bank_name.strip() and person.bank_account.strip()
        if not (complete and banked):
            raise RuleViolation("WI-SURVIVOR-DETAILS", name=person.name or "—")
    claimant = Claimant(
        **{**asdict(claimant), "resident_id": _checked_id(claimant.name, claimant.resident_id)}
    )
    survivors = [
        Survivor(**{**asdict(s), "resident_id": _checked_id(s.name, s.resident_id)})
        for s in survivors
    ]
    ids = [s.resident_id for s in survivors]
    if len(set(ids)) != len(ids):
        raise RuleViolation("WI-SURVIVOR-DETAILS", name=survivors[-1].name)
    if injury.person.resident_id in {*ids, claimant.resident_id}:
        raise RuleViolation("WI-SURVIVOR-IS-DECEASED")
    return claimant, survivors


def death_assess(
    *,
    injury: Injury,
    claimant: Claimant,
    survivors: list[Survivor],
    source: ParameterSource | None = None,
) -> dict[str, Any]:
    """The death-at-work benefits with the calculator's trace. Every figure "of the previous
    year" is the value in force on 1 January of the year of death (the calc adapter's
    reading). Writes nothing."""
    if not injury.fatal or injury.died_on is None:
        raise RuleViolation("WI-DEATH-NOT-FATAL")
    claimant, survivors = _check_people(injury, claimant, survivors)
    source = source or DatabaseParameters()
    region = injury.agency.division_code
    on = date(injury.died_on.year, 1, 1)
    rules = DeathAtWorkRules(
        subsidy_income=source.lookup("work_injury.death_subsidy_income", region, on),
        subsidy_multiple=source.lookup("work_injury.death_subsidy_multiple", region, on),
        funeral_months=source.lookup("work_injury.funeral_subsidy_months", region, on),
        survivor_ratio=source.lookup("work_injury.survivor_pension_ratio", region, on),
        lone_extra=source.lookup("work_injury.survivor_pension_lone_extra", region, on),
        total_cap_ratio=source.lookup("work_injury.survivor_total_cap_ratio", region, on),
    )
    result = death_at_work_benefits(
        own_wage=fen_to_yuan(injury.own_wage_fen or 0),
        dependants=[Dependant(s.relation, s.orphan, s.lone_elderly) for s in survivors],
        limits=own_wage_limits(source, region, on),
        rules=rules,
    )
    value = result.value
    figures = {
        "died_on": injury.died_on.isoformat(),
        "own_wage_fen": yuan_to_fen(value.own_wage_clamped),
        "funeral_fen": yuan_to_fen(value.funeral_subsidy),
        "death_lump_sum_fen": yuan_to_fen(value.one_time_subsidy),
        "start_period": period_add(period_of(injury.died_on), 1),
        "claimant": asdict(claimant),
        "survivors": [
            asdict(s) | {"ratio": format(p.ratio, "f"), "monthly_fen": yuan_to_fen(p.amount)}
            for s, p in zip(survivors, value.survivor_pensions, strict=True)
        ],
        "survivor_total_fen": yuan_to_fen(value.survivor_total),
        "capped": value.capped,
    }
    return {
        "figures": figures,
        "calculation": {"on": on.isoformat(), "region": region, **result.trace_dict()},
    }


def _check_no_death_case(injury: Injury, exclude: int | None = None) -> None:
    done = finished_case(ITEM_DEATH, injury_id=injury.pk)
    if done is not None and done.pk != exclude:
        raise RuleViolation("WI-DEATH-EXISTS", receipt=done.receipt_no)
    if exclude is None:
        pending = pending_case(ITEM_DEATH, injury_id=injury.pk)
        if pending is not None:
            raise RuleViolation("WI-DEATH-PENDING", receipt=pending.receipt_no)


def _check_no_funeral_grant(injury: Injury) -> None:
    granted = funeral_grant_of(injury.person)
    if granted is not None:
        raise RuleViolation(
            "BEN-FUNERAL-ONCE",
            name=injury.person.name,
            source=f"{granted.scheme} #{granted.pk} ({format_yuan(granted.monthly_fen)})",
        )


def death_request(
    *,
    actor: Actor,
    injury: Injury,
    claimant: Claimant,
    survivors: list[Survivor],
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the death-at-work case (SBBN033) with the preview's figures; the applicant is the
    deceased worker, the claimant the relative who came."""
    ensure_staff(actor)
    ensure_in_scope(actor, injury.agency)
    today = today or timezone.localdate()
    preview = death_assess(injury=injury, claimant=claimant, survivors=survivors)
    with transaction.atomic(durable=True):
        Injury.objects.select_for_update().get(pk=injury.pk)
        _check_no_death_case(injury)
        _check_no_funeral_grant(injury)
        case = open_request(
            actor=actor,
            item_code=ITEM_DEATH,
            channel=channel,
            person=injury.person,
            data={"injury_id": injury.pk, "pay_period": period_of(today), **preview},
        )
        figures = preview["figures"]
        audit_record(
            actor=actor,
            action="injury.death_request",
            target=case,
            target_agency=injury.agency,
            after={
                "injury": injury.pk,
                "funeral_fen": figures["funeral_fen"],
                "death_lump_sum_fen": figures["death_lump_sum_fen"],
                "survivor_total_fen": figures["survivor_total_fen"],
                "survivors": len(figures["survivors"]),
                "case": case.receipt_no,
            },
        )
    return case


def apply_death(case: Case, actor: Actor) -> list[Benefit]:
    """The SBBN033 handler: the figures worked out again; the deceased's running benefits
    stopped after the month of death; the funeral subsidy, the one-time death subsidy and the
    survivor pensions opened. A replay writes nothing."""
    injury = case_injury_locked(case, ITEM_DEATH)
    already = list(Benefit.objects.filter(case_id=case.pk).order_by("pk"))
    if already:
        return already
    _check_no_death_case(injury, exclude=case.pk)
    accepted = case.data["figures"]
    now = death_assess(
        injury=injury,
        claimant=Claimant(**accepted["claimant"]),
        survivors=[
            Survivor(**{k: v for k, v in s.items() if k not in ("ratio", "monthly_fen")})
            for s in accepted["survivors"]
        ],
    )
    figures_unchanged(accepted, now["figures"], "survivor_total_fen")
    assert injury.died_on is not None
    death_month = period_of(injury.died_on)
    # A death registered already (at the counter, by the comparison file) must agree with the
    # recognised date; otherwise the death is registered now, with the decision as reference:
    # relations end, a pension stops, the death-benefit case (SBBN009) opens.
    registered = Death.objects.filter(person=injury.person).first()
    if registered is None:
        registered = death_register(
            actor=actor,
            person=injury.person,
            died_on=injury.died_on,
            source=DeathSource.OTHER,
            reference=injury.decision_no,
            case_id=case.pk,
        )
    elif registered.died_on != injury.died_on:
        raise RuleViolation(
            "WI-DEATH-DATE-DIFFERS",
            registered=registered.died_on.isoformat(),
            recognised=injury.died_on.isoformat(),
        )
    stopped = benefits_stop_all(
        actor=actor, person=injury.person, last_period=death_month, reason="death"
    )
    opened = _open_benefits(case, actor, injury, accepted, now["calculation"])
    for benefit in opened:
        case_record_link(case=case, record=benefit, effect="created")
    audit_record(
        actor=actor,
        action="injury.death",
        target=injury,
        target_agency=injury.agency,
        after={
            "died_on": injury.died_on.isoformat(),
            "benefits": [b.pk for b in opened],
            "death": registered.pk,
            "stopped": stopped,
            "funeral_fen": accepted["funeral_fen"],
            "death_lump_sum_fen": accepted["death_lump_sum_fen"],
            "survivor_total_fen": accepted["survivor_total_fen"],
            "capped": accepted["capped"],
            "case": case.receipt_no,
        },
    )
    return opened


def _open_benefits(
    case: Case, actor: Actor, injury: Injury, figures: dict[str, Any], calculation: dict[str, Any]
) -> list[Benefit]:
    claimant = figures["claimant"]
    to_claimant = Payee(
        claimant["name"],
        claimant["resident_id"],
        claimant["relation"],
        claimant["bank_name"],
        claimant["bank_account"],
    )
    common: dict[str, Any] = {
        "actor": actor,
        "person": injury.person,
        "scheme": Scheme.WORK_INJURY,
        "agency": injury.agency,
        "case_id": case.pk,
        "source": f"injury:{injury.pk}",
        "calculation": calculation,
    }
    pay_period = case.data["pay_period"]
    opened = [
        benefit_open(
            kind=BenefitKind.FUNERAL_GRANT,
            payee=to_claimant,
            start_period=pay_period,
            monthly_fen=figures["funeral_fen"],
            **common,
        ),
        benefit_open(
            kind=BenefitKind.DEATH_LUMP_SUM,
            payee=to_claimant,
            start_period=pay_period,
            monthly_fen=figures["death_lump_sum_fen"],
            **common,
        ),
    ]
    for survivor in figures["survivors"]:
        opened.append(
            benefit_open(
                kind=BenefitKind.SURVIVOR_PENSION,
                payee=Payee(
                    survivor["name"],
                    survivor["resident_id"],
                    survivor["relation"],
                    survivor["bank_name"],
                    survivor["bank_account"],
                ),
                start_period=figures["start_period"],
                monthly_fen=survivor["monthly_fen"],
                **common,
            )
        )
    return opened
