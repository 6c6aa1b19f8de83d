"""Demo data of the rules app: the shipped parameters, and one proposal awaiting approval so
that a newcomer signed in as ``admin`` sees the maker-checker step (``policy_hubei`` made it)."""

from __future__ import annotations

from datetime import date

from shebao.core.actors import Actor, system_actor
from shebao.core.models import Channel, User
from shebao.rules.models import Parameter, ParameterValue, ValueStatus
from shebao.rules.params import default_parameter_dir
from shebao.rules.services import parameter_value_propose, parameters_load

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
