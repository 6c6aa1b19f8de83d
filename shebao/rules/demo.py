"""Demo data of the rules app: the shipped parameters, and one proposal awaiting approval so
that a newcomer signed in as ``admin`` sees the maker-checker step (``policy_hubei`` made it)."""

from __future__ import annotations

from datetime import date

from shebao.core.actors import Actor, staff_actor, system_actor
from shebao.core.models import Channel, User
from shebao.rules.models import Parameter, ParameterValue, ValueStatus
from shebao.rules.params import default_parameter_dir
from shebao.rules.services import (
    parameter_value_decide,
    parameter_value_propose,
    parameters_load,
)

DEMO_PROPOSAL_NOTE = (
    "Demo proposal: rules.md says the 2025 values continue until the 2026 notice; this states "
    "that explicitly for 2026."
)


def seed_demo() -> None:
    parameters_load(actor=system_actor("seed_demo"), root=default_parameter_dir())
    if ParameterValue.objects.filter(note=DEMO_PROPOSAL_NOTE).exists():
        return
    proposer = User.objects.filter(username="policy_hubei").first()
    parameter = Parameter.objects.filter(key="wage.reference_average_monthly").first()
    if proposer is None or parameter is None:
        return
    in_force = ParameterValue.objects.get(
        parameter=parameter,
        region="420300",
        effective_from=date(2025, 1, 1),
        status=ValueStatus.APPROVED,
    )
    parameter_value_propose(
        actor=Actor(user=proposer, channel=Channel.COUNTER),
        parameter=parameter,
        region="420300",
        effective_from=date(2026, 1, 1),
        value_text=str(in_force.value),
        reference=in_force.reference,
        confidence="unverified",
        note=DEMO_PROPOSAL_NOTE,
    )


def placeholder_value_enter(
    *, key: str, region: str, effective_from: date, value_text: str, reference: str, note: str
) -> None:
    """Enter a figure the demo needs but no source publishes, the way an administrator would:
    proposed by ``policy_hubei``, approved by ``admin``, marked unverified with the demo's
    ``reference`` and ``note`` (never in parameters/). Entered once: a value with this note
    already approved is kept, a pending one is approved."""
    parameter = Parameter.objects.filter(key=key).first()
    if parameter is None or User.objects.filter(username__in=["policy_hubei", "admin"]).count() < 2:
        return
    entered = ParameterValue.objects.filter(
        parameter=parameter, region=region, effective_from=effective_from, note=note
    )
    if entered.filter(status=ValueStatus.APPROVED).exists():
        return
    proposal = entered.filter(status=ValueStatus.PENDING).first() or parameter_value_propose(
        actor=staff_actor("policy_hubei"),
        parameter=parameter,
        region=region,
        effective_from=effective_from,
        value_text=value_text,
        reference=reference,
        confidence="unverified",
        note=note,
    )
    parameter_value_decide(
        actor=staff_actor("admin"),
        proposal=proposal,
        approve=True,
        note="Demo placeholder approved for the demo only.",
    )
