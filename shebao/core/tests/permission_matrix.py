"""The permission matrix: every URL pattern of the project, how to build a concrete URL for it
from the demo data, and which of nine roles may use it.

``test_permission_matrix`` walks the URL resolver and fails when a pattern has no row here (or a
row names a pattern that is gone). To add a URL: add a ``Row`` to ``ROWS`` under its app's
heading, naming the URL by its namespaced name, the keyword arguments (from ``Refs``, the demo
objects of 茅箭区 420302 where there are any) and the roles that SHOULD get through. The roles:

========== ===================================================================================
anonymous  nobody signed in
citizen    张伟 on the citizen portal (his own person record)
agent      赵敏, the administrator agent of 十堰市示范超市有限公司 on the employer portal
other      clerk_wuhan, a counter clerk of 江岸区 (Wuhan): 茅箭区 records are outside his scope
clerk      clerk_maojian (accept, every item)
reviewer   reviewer_maojian (review, approve)
head       head_maojian (review, approve, audit, configure)
fund       fund_shiyan, of the city 十堰市 (run_batch)
admin      admin, of the province (configure, audit; the only Django admin user)
========== ===================================================================================

Conventions the rows follow:

* A staff page that only reads records is open to every staff role whose scope holds the
  record; the record of another agency answers "not found" (404) by design. A form page's GET
  is a read; the action is checked when the form is submitted (and by the service tests).
* A POST whose required permission is fixed by the URL is tried with an empty form (an API
  POST with a well-formed body that changes nothing): a role without that permission must be
  refused before anything is processed. Where the permission depends on what is posted (which
  transition of a case, which item), the row says so and only scope is checked here.
* Portal and kiosk users never use the staff pages or the staff API; staff never use the portal
  pages. Kiosk pages need a registered kiosk's cookie, which none of the nine roles carries.
* The Django admin is summarised: one row for ``/admin/`` and a few representative pages stand
  for all of its patterns (only administrators are ``is_staff``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from shebao.core.models import Agency, BatchRun, PermissionClaim

ANONYMOUS = "anonymous"
CITIZEN = "citizen"
AGENT = "agent"
OTHER = "other"
CLERK = "clerk"
REVIEWER = "reviewer"
HEAD = "head"
FUND = "fund"
ADMIN = "admin"
ROLES = (ANONYMOUS, CITIZEN, AGENT, OTHER, CLERK, REVIEWER, HEAD, FUND, ADMIN)

# Staff usernames of the staff roles (README "Demo logins").
STAFF_USERS = {
    OTHER: "clerk_wuhan",
    CLERK: "clerk_maojian",
    REVIEWER: "reviewer_maojian",
    HEAD: "head_maojian",
    FUND: "fund_shiyan",
    ADMIN: "admin",
}

Roles = frozenset[str]
NOBODY: Roles = frozenset()
EVERYONE: Roles = frozenset(ROLES)
STAFF: Roles = frozenset(STAFF_USERS)
# Staff whose scope holds the 茅箭区 records the rows use.
LOCAL: Roles = STAFF - {OTHER}
CITIZENS: Roles = frozenset({CITIZEN})
AGENTS: Roles = frozenset({AGENT})
# Who holds audit (agency heads, administrators).
AUDITORS: Roles = frozenset({HEAD, ADMIN})
# Who holds configure (grant claims, propose parameters).
CONFIGURERS: Roles = frozenset({HEAD, ADMIN})
# Fund work is run with run_batch and followed with audit.
FUND_READERS: Roles = frozenset({HEAD, FUND, ADMIN})
# Statistics and the migration reports: audit, run_batch or configure.
STATISTICS: Roles = frozenset({HEAD, FUND, ADMIN})
# The counter of the 茅箭区 hall: a clerk of that agency (accept).
HALL_CLERK: Roles = frozenset({CLERK})


@dataclass(frozen=True)
class Row:
    """One URL pattern (by its namespaced name) and who may use it."""

    name: str
    allow: Roles
    kwargs: Callable[[Refs], Mapping[str, Any]] | None = None
    method: str = "GET"
    # The query (GET) or form (POST), or a function of the demo objects that gives it.
    data: Mapping[str, Any] | Callable[[Refs], Mapping[str, Any]] = field(default_factory=dict)
    json: Any = None  # an API body, sent as JSON (or a function of the demo objects)
    # Rule codes of a 400 answer that say "not yours to know" (an applicant outside the scope).
    refusal_codes: tuple[str, ...] = ()
    # The page's normal answer is a redirect to a sign-in page (signing out; the second step
    # of a sign-in that was not started): such a redirect is not a refusal here.
    ends_at_sign_in: bool = False
    # A batch file staged in the requester's session first; its token is the URL's ``token``.
    staged_batch: bool = False
    note: str = ""

    def form(self, refs: Refs) -> Mapping[str, Any]:
        return self.data(refs) if callable(self.data) else self.data

    def body(self, refs: Refs) -> Any:
        return self.json(refs) if callable(self.json) else self.json


class Refs:
    """The demo objects the rows build their URLs from (茅箭区 420302 where possible)."""

    @cached_property
    def maojian(self) -> Agency:
        return Agency.objects.get(code="420302")

    def _local(self) -> dict[str, str]:
        return {"agency__path__startswith": self.maojian.path}

    @cached_property
    def person(self) -> Any:
        from shebao.registry.demo import demo_person

        return demo_person("张伟")

    @cached_property
    def employer(self) -> Any:
        from shebao.registry.demo import demo_employer

        return demo_employer("十堰市示范超市有限公司")

    def case_of(self, item: str | None = None, **filters: Any) -> Any:
        from shebao.services.models import Case

        cases = Case.objects.filter(**self._local(), **filters).order_by("-pk")
        if item is not None:
            cases = cases.filter(item__code=item)
        case = cases.first()
        assert case is not None, f"no demo case of 茅箭区 for {item} {filters}"
        return case

    @cached_property
    def case(self) -> Any:
        return self.case_of(applicant_person=self.person)

    @cached_property
    def employer_case(self) -> Any:
        return self.case_of(applicant_employer=self.employer)

    def person_case(self, item: str) -> dict[str, int]:
        case = self.case_of(item, applicant_person__isnull=False)
        return {"person_id": case.applicant_person_id, "case_id": case.pk}

    def employer_item_case(self, item: str) -> dict[str, int]:
        case = self.case_of(item, applicant_employer__isnull=False)
        return {"employer_id": case.applicant_employer_id, "case_id": case.pk}

    def transfer_case(self, direction: str) -> dict[str, int]:
        from shebao.accounts.models import Transfer

        transfer = (
            Transfer.objects.filter(direction=direction, person__managing_agency=self.maojian)
            .order_by("-pk")
            .first()
        )
        if transfer is None:  # the demo has a transfer out only: the other one, made here
            from shebao.core.actors import system_actor
            from shebao.core.models import User
            from shebao.registry.demo import demo_person
            from shebao.services.models import ServiceItem
            from shebao.services.services import case_create

            person = demo_person("王芳")
            case = case_create(
                actor=system_actor("permission matrix"),
                item=ServiceItem.objects.get(code="SBTR001"),
                channel="counter",
                person=person,
                data={"direction": direction},
            )
            transfer = Transfer.objects.create(
                person=person,
                direction=direction,
                case_id=case.pk,
                period=202610,
                other_region="河南省",
                other_agency="郑州市社会保险中心",
                account_fen=1000000,
                pooled_fen=500000,
                months=60,
                requested_by=User.objects.get(username="clerk_maojian"),
            )
        return {"person_id": transfer.person_id, "case_id": transfer.case_id}

    def run(self, kind: str) -> BatchRun:
        run = BatchRun.objects.filter(kind=kind).order_by("-pk").first()
        assert run is not None, f"no demo run {kind}"
        return run

    @cached_property
    def bill(self) -> Any:
        from shebao.contributions.models import Bill

        return Bill.objects.filter(employer=self.employer).order_by("-pk").first()

    @cached_property
    def unmatched_payment(self) -> Any:
        """A payment the tax bureau reported for no known bill (the demo has none: made here,
        inside the test's transaction)."""
        from shebao.contributions.models import Payment

        payment = Payment.objects.filter(bill__isnull=True).order_by("pk").first()
        if payment is None:
            payment = Payment.objects.create(
                reference="MATRIX-UNMATCHED-1",
                bill_number="NO-SUCH-BILL",
                amount_fen=100,
                paid_on=date(2026, 10, 15),
            )
        return payment

    @cached_property
    def flexible_base_case(self) -> dict[str, int]:
        """A flexible worker's base choice of 张伟 (the demo has none: opened here)."""
        from shebao.core.actors import system_actor
        from shebao.services.models import ServiceItem
        from shebao.services.services import case_create

        case = case_create(
            actor=system_actor("permission matrix"),
            item=ServiceItem.objects.get(code="SBCL007"),
            channel="counter",
            person=self.person,
            data={
                "year": 2026,
                "bases": [{"base_fen": 500000, "floor_fen": 400000, "cap_fen": 2000000}],
            },
        )
        return {"person_id": self.person.pk, "case_id": case.pk}

    @cached_property
    def pension(self) -> Any:
        from shebao.benefits.models import Pension

        return Pension.objects.filter(**self._local()).order_by("pk").first()

    @cached_property
    def payroll_file(self) -> Any:
        from shebao.benefits.models import PayrollFile

        return PayrollFile.objects.order_by("pk").first()

    @cached_property
    def notice(self) -> Any:
        from shebao.benefits.models import PensionNotice

        return (
            PensionNotice.objects.filter(pension__agency__path__startswith=self.maojian.path)
            .order_by("pk")
            .first()
        )

    @cached_property
    def overpayment(self) -> Any:
        from shebao.benefits.models import Overpayment

        return Overpayment.objects.order_by("pk").first()

    @cached_property
    def unemployment(self) -> Any:
        from shebao.benefits.models import Benefit, BenefitKind

        benefit = (
            Benefit.objects.filter(kind=BenefitKind.UNEMPLOYMENT, **self._local())
            .order_by("pk")
            .first()
        )
        if benefit is None:  # the demo claim waits for review: a benefit in payment, made here
            benefit = Benefit.objects.create(
                person=self.person,
                scheme="unemployment",
                kind=BenefitKind.UNEMPLOYMENT,
                payee_name=self.person.name,
                payee_resident_id=self.person.resident_id,
                agency=self.maojian,
                start_period=202609,
                end_period=202702,
                monthly_fen=180000,
                created_by="permission matrix",
            )
        return benefit

    @cached_property
    def injury(self) -> Any:
        from shebao.benefits.models import Injury

        return Injury.objects.filter(**self._local()).order_by("pk").first()

    @cached_property
    def window(self) -> Any:
        from shebao.hall.models import ServiceWindow

        return ServiceWindow.objects.filter(agency=self.maojian).order_by("pk").first()

    @cached_property
    def other_window(self) -> Any:
        from shebao.hall.models import ServiceWindow

        return ServiceWindow.objects.filter(agency=self.maojian).exclude(pk=self.window.pk).first()

    @cached_property
    def ticket(self) -> Any:
        from shebao.hall.models import Ticket

        return Ticket.objects.filter(agency=self.maojian).order_by("-pk").first()

    @cached_property
    def home_visit(self) -> Any:
        from shebao.hall.models import HomeVisit

        return HomeVisit.objects.filter(case__agency=self.maojian).order_by("pk").first()

    @cached_property
    def issue(self) -> Any:
        from shebao.migration.models import MigrationIssue

        issue = MigrationIssue.objects.order_by("pk").first()
        if issue is None:  # the test demo loads no legacy file: a finding about 张伟, made here
            issue = MigrationIssue.objects.create(
                city=Agency.objects.get(code="420300"),
                rule="MIG-PERSON-DUPLICATE",
                entity="persons",
                staged_id=0,
                person=self.person,
                detail={"line": 1, "name": self.person.name, "city_name": self.person.name},
            )
        return issue

    @cached_property
    def person_document(self) -> Any:
        from shebao.documents.models import IssuedDocument

        return IssuedDocument.objects.filter(person=self.person).order_by("pk").first()

    @cached_property
    def employer_document(self) -> Any:
        from shebao.documents.models import IssuedDocument

        return IssuedDocument.objects.filter(employer=self.employer).order_by("pk").first()

    @cached_property
    def appointment(self) -> Any:
        from shebao.hall.models import Appointment

        return Appointment.objects.filter(person=self.person).order_by("pk").first()

    @cached_property
    def other_agent(self) -> Any:
        from shebao.portal.models import EmployerAgent

        return (
            EmployerAgent.objects.filter(employer=self.employer)
            .exclude(phone="13907191001")
            .order_by("pk")
            .first()
        )

    @cached_property
    def staff_person(self) -> Any:
        """A person on the supermarket's staff."""
        from shebao.registry.models import InsuredRelation

        relation = InsuredRelation.objects.filter(employer=self.employer).order_by("pk").first()
        assert relation is not None
        return relation.person

    @cached_property
    def clerk_claim(self) -> PermissionClaim:
        return PermissionClaim.objects.filter(staff__user__username="clerk_maojian").get()

    @cached_property
    def proposal(self) -> Any:
        from shebao.rules.models import ParameterValue, ValueStatus

        return ParameterValue.objects.filter(status=ValueStatus.PENDING).order_by("pk").first()

    @cached_property
    def parameter_key(self) -> str:
        from shebao.rules.models import Parameter

        return str(Parameter.objects.order_by("key").values_list("key", flat=True).first())

    @cached_property
    def year(self) -> int:
        from shebao.accounts.models import AccountEntry

        entry = AccountEntry.objects.filter(person=self.person).order_by("-year").first()
        return int(entry.year) if entry else 2025


def _r(
    name: str, allow: Roles, kwargs: Callable[[Refs], Mapping[str, Any]] | None = None, **extra: Any
) -> Row:
    return Row(name=name, allow=allow, kwargs=kwargs, **extra)


def _post(
    name: str, allow: Roles, kwargs: Callable[[Refs], Mapping[str, Any]] | None = None, **extra: Any
) -> Row:
    return Row(name=name, allow=allow, kwargs=kwargs, method="POST", **extra)


def _person(r: Refs) -> dict[str, int]:
    return {"person_id": r.person.pk}


def _employer(r: Refs) -> dict[str, int]:
    return {"employer_id": r.employer.pk}


def _pension(r: Refs) -> dict[str, int]:
    return {"pension_id": r.pension.pk}


def _injury(r: Refs) -> dict[str, int]:
    return {"injury_id": r.injury.pk}


def _ticket(r: Refs) -> dict[str, int]:
    return {"ticket_id": r.ticket.pk}


# The token of the batch staged for a ``staged_batch`` row, filled in by the test.
STAGED = "<staged>"


def _claim_preview(r: Refs) -> dict[str, Any]:
    return {
        "person_id": r.person.pk,
        "separated_on": "2026-10-31",
        "separation_reason": "contract_end",
        "registered_on": "2026-11-05",
    }


# A change request that passes its form, so that the service's permission check is reached.
ADDRESS_CHANGE = {"field": "address", "value": "十堰市茅箭区矩阵路1号"}


ROWS: list[Row] = [
    # --- the API (staff sessions; anonymous callers get 401) ---------------------------------
    _r("api:openapi-json", EVERYONE, note="the API's description is public"),
    _r("api:openapi-view", EVERYONE, note="the API's description is public"),
    _r("api:api-root", NOBODY, note="not found for everyone; the answer names the docs"),
    _r("api:me", STAFF),
    _r("api:agencies", STAFF),
    _r("api:staff_list", STAFF),
    _r("api:staff_detail", LOCAL, lambda r: {"username": "clerk_maojian"}),
    _post(
        "api:staff_claim_grant",
        CONFIGURERS,
        lambda r: {"username": "clerk_maojian"},
        json={"role": "clerk", "item_scope": "*"},
        note="a claim clerk_maojian already holds: refused as a duplicate for those allowed",
    ),
    _r("api:audit_entries", AUDITORS),
    _r("api:parameters", STAFF),
    _r("api:calculators", STAFF),
    _post("api:calculate", STAFF, lambda r: {"name": "resident_id"}, json={}),
    _r("api:rules", STAFF),
    _r("api:service_items", EVERYONE, note="the public catalogue"),
    _r("api:cases", STAFF),
    _post(
        "api:case_open",
        frozenset({CLERK}),
        json=lambda r: {"item": "SBCT003", "resident_id": r.person.resident_id},
        refusal_codes=("CASE-APPLICANT-UNKNOWN",),
        note="accept on the item posted; an applicant outside the scope is unknown (400)",
    ),
    _r("api:case_detail", LOCAL, lambda r: {"case_id": r.case.pk}),
    _post(
        "api:case_move",
        LOCAL,
        lambda r: {"case_id": r.case.pk},
        json={"action": "no-such-transition"},
        note="the permission depends on the transition posted",
    ),
    _r("api:employers", STAFF),
    _post(
        "api:employer_new",
        frozenset({OTHER, CLERK}),
        json={"credit_code": "91420302MA4MATRIX", "name": "矩阵测试有限公司"},
        note="accept for the registration item; a malformed code is then refused (400)",
    ),
    _r("api:employer", LOCAL, _employer),
    _r("api:persons", STAFF),
    _r("api:person", LOCAL, _person),
    _r("api:relations", STAFF),
    _post(
        "api:relations_change",
        frozenset({CLERK}),
        json=lambda r: {"employer": r.employer.credit_code, "additions": [], "removals": []},
    ),
    _post("api:payments_post", frozenset({FUND}), json={"rows": []}),
    _r("api:payments_unmatched_get", frozenset({FUND}), note="the fund officer's worklist"),
    _r("api:reconciliation_get", FUND_READERS, data={"agency": "420302", "period": 202610}),
    _r("api:arrears_get", FUND_READERS, data={"agency": "420302"}),
    _post(
        "api:base_declaration_post",
        frozenset({CLERK}),
        json=lambda r: {"employer": r.employer.credit_code, "year": 2026, "rows": []},
    ),
    _r(
        "api:contribution_bases_get",
        LOCAL,
        data=lambda r: {"employer": r.employer.credit_code, "year": 2026},
    ),
    _r("api:person_account", LOCAL, _person),
    _r("api:person_pension", LOCAL, lambda r: {"person_id": r.pension.person_id}),
    _post("api:retirement_preview", LOCAL, json=lambda r: {"person_id": r.person.pk}),
    _post(
        "api:certification_post",
        frozenset({CLERK}),
        _pension,
        json={"certified_on": "2026-12-01"},
        note="accept on the certification item",
    ),
    _r("api:death_benefits_get", LOCAL, _person),
    _post("api:death_benefit_claim_preview", LOCAL, json=lambda r: _claim_preview(r)),
    _post("api:unemployment_preview", LOCAL, json=lambda r: _claim_preview(r)),
    _r("api:person_unemployment", LOCAL, _person),
    _r("api:injury_detail", LOCAL, _injury),
    _post(
        "api:injury_disability_preview",
        LOCAL,
        _injury,
        json=lambda r: {"assessment_id": r.injury.assessments.order_by("pk").first().pk},
        note="a calculation that changes nothing: whoever may see the injury",
    ),
    _post("api:person_certificate", frozenset({CLERK}), _person, json={}),
    _r("api:document_pdf", LOCAL, lambda r: {"code": r.person_document.code}),
    _r(
        "api:document_verification",
        EVERYONE,
        lambda r: {"code": r.person_document.code},
        note="public verification",
    ),
    # --- plumbing ------------------------------------------------------------------------------
    _post("set_language", EVERYONE, data={"language": "zh-hans"}),
    # --- the Django admin (summarised: only administrators are is_staff) --------------------
    _r("admin:index", frozenset({ADMIN})),
    _r("admin:core_staff_changelist", frozenset({ADMIN})),
    _r("admin:core_auditentry_changelist", frozenset({ADMIN})),
    _r("admin:rules_parameter_changelist", frozenset({ADMIN})),
    _r("admin:registry_person_changelist", frozenset({ADMIN})),
    # --- rules ---------------------------------------------------------------------------------
    _r("rules:parameter_list", STAFF),
    _r("rules:proposal_list", STAFF),
    _post(
        "rules:proposal_decide",
        frozenset({ADMIN}),
        lambda r: {"value_id": r.proposal.pk, "verdict": "reject"},
        note="a provincial parameter: configure at the province",
    ),
    _r("rules:parameter_detail", STAFF, lambda r: {"key": r.parameter_key}),
    _post("rules:parameter_propose", CONFIGURERS, lambda r: {"key": r.parameter_key}),
    _r("rules:rule_list", STAFF),
    # --- one window (services) ---------------------------------------------------------------
    _r("services:catalogue", EVERYONE, note="the public catalogue"),
    _r("services:workbench", STAFF),
    _post("services:workbench_search", STAFF),
    _r("services:case_list", STAFF),
    _r(
        "services:case_start",
        LOCAL,
        data=lambda r: {"person": r.person.pk},
        note="for 张伟: outside the other agency's scope",
    ),
    _r("services:case_detail", LOCAL, lambda r: {"case_id": r.case.pk}),
    _post(
        "services:case_transition",
        LOCAL,
        lambda r: {"case_id": r.case.pk},
        note="the permission depends on the transition posted",
    ),
    _post("services:case_attach", LOCAL, lambda r: {"case_id": r.case.pk}),
    _r("services:case_receipt", LOCAL, lambda r: {"case_id": r.case.pk}),
    # --- registry ------------------------------------------------------------------------------
    _r("registry:employer_list", STAFF),
    _r("registry:employer_new", STAFF),
    _r("registry:employer_detail", LOCAL, _employer),
    _post(
        "registry:employer_action",
        frozenset({CLERK}),
        lambda r: {"employer_id": r.employer.pk, "action": "change"},
        data=ADDRESS_CHANGE,
    ),
    _r("registry:batch_upload", LOCAL, _employer),
    _post(
        "registry:batch_confirm",
        frozenset({CLERK}),
        lambda r: {"employer_id": r.employer.pk, "token": STAGED},
        staged_batch=True,
    ),
    _r(
        "registry:batch_report",
        LOCAL,
        lambda r: {"employer_id": r.employer.pk, "token": STAGED},
        staged_batch=True,
    ),
    _r("registry:batch_template", STAFF, lambda r: {"kind": "addition"}),
    _r("registry:person_list", STAFF),
    _r("registry:person_detail", LOCAL, _person),
    _post(
        "registry:person_action",
        frozenset({CLERK}),
        lambda r: {"person_id": r.person.pk, "action": "change"},
        data=ADDRESS_CHANGE,
    ),
    # --- collection ----------------------------------------------------------------------------
    _r("contributions:run_list", FUND_READERS),
    # The demo's assessment runs are province-wide: only the province's staff see them.
    _r(
        "contributions:run_detail",
        frozenset({ADMIN}),
        lambda r: {"run_id": r.run("monthly_assessment").pk},
    ),
    _r(
        "contributions:run_progress",
        frozenset({ADMIN}),
        lambda r: {"run_id": r.run("monthly_assessment").pk},
    ),
    _post(
        "contributions:run_resume",
        NOBODY,
        lambda r: {"run_id": r.run("monthly_assessment").pk},
        note="run_batch in scope: fund_shiyan's city is inside the province-wide run",
    ),
    _r("contributions:employer_bills", LOCAL, _employer),
    _r("contributions:employer_bills_xlsx", LOCAL, _employer),
    _r("contributions:bill_detail", LOCAL, lambda r: {"number": r.bill.number}),
    _r("contributions:bill_xlsx", LOCAL, lambda r: {"number": r.bill.number}),
    _r("contributions:base_declaration", LOCAL, _employer),
    _r("contributions:base_declaration_template", LOCAL, _employer),
    _r("contributions:base_declaration_outcome", LOCAL, lambda r: r.employer_item_case("SBCL002")),
    _r("contributions:flexible_base", LOCAL, _person),
    _r("contributions:flexible_base_outcome", LOCAL, lambda r: r.flexible_base_case),
    _r("contributions:back_payment", LOCAL, _employer),
    _r("contributions:back_payment_outcome", LOCAL, lambda r: r.employer_item_case("SBCL004")),
    _r("contributions:refund", LOCAL, _employer),
    _r("contributions:refund_outcome", LOCAL, lambda r: r.employer_item_case("SBCL006")),
    _r("contributions:exchange", frozenset({FUND})),
    _post("contributions:exchange_export", frozenset({FUND})),
    _post("contributions:payment_import", frozenset({FUND})),
    _r("contributions:unmatched", frozenset({FUND}), note="the fund officer's worklist"),
    _post(
        "contributions:unmatched_match",
        frozenset({FUND}),
        lambda r: {"payment_id": r.unmatched_payment.pk},
    ),
    _r("contributions:reconciliation", FUND_READERS),
    _r("contributions:reconciliation_xlsx", FUND_READERS),
    _r("contributions:arrears", FUND_READERS),
    _r("contributions:arrears_xlsx", FUND_READERS),
    # --- accounts ------------------------------------------------------------------------------
    _r("accounts:transfer_out", LOCAL, _person),
    _r("accounts:transfer_out_outcome", LOCAL, lambda r: r.transfer_case("out")),
    _r("accounts:transfer_in", LOCAL, _person),
    _r("accounts:transfer_in_outcome", LOCAL, lambda r: r.transfer_case("in")),
    _r("accounts:correction", LOCAL, _person),
    _r("accounts:correction_outcome", LOCAL, lambda r: r.person_case("SBAC006")),
    _r("accounts:account", LOCAL, _person),
    _r("accounts:statement", LOCAL, lambda r: {"person_id": r.person.pk, "year": r.year}),
    _r("accounts:statement_xlsx", LOCAL, lambda r: {"person_id": r.person.pk, "year": r.year}),
    # --- benefits ------------------------------------------------------------------------------
    _r("benefits:retirement_apply", LOCAL, _person),
    _r("benefits:retirement_outcome", LOCAL, lambda r: r.person_case("SBBN001")),
    _r("benefits:pension_list", STAFF),
    _r("benefits:pension_detail", LOCAL, _pension),
    _r("benefits:payroll_runs", FUND_READERS),
    _r(
        "benefits:payroll_run",
        frozenset({FUND, ADMIN}),
        lambda r: {"run_id": r.run("pension_payroll").pk},
        note="the city's run: outside a district head's scope",
    ),
    _r(
        "benefits:payroll_progress",
        frozenset({FUND, ADMIN}),
        lambda r: {"run_id": r.run("pension_payroll").pk},
    ),
    _post(
        "benefits:payroll_resume",
        frozenset({FUND}),
        lambda r: {"run_id": r.run("pension_payroll").pk},
    ),
    _post(
        "benefits:payroll_return_upload",
        frozenset({FUND}),
        lambda r: {"run_id": r.run("pension_payroll").pk},
    ),
    _post(
        "benefits:payroll_reissue",
        frozenset({FUND}),
        lambda r: {"run_id": r.run("pension_payroll").pk},
    ),
    _r(
        "benefits:payroll_file",
        frozenset({FUND}),
        lambda r: {"file_id": r.payroll_file.pk},
        note="the bank file: only who runs the payroll",
    ),
    _r("benefits:payroll_bank_account", LOCAL, _pension),
    _r(
        "benefits:adjustment_runs",
        frozenset({REVIEWER, HEAD, FUND}),
        note="run_batch starts it, approve decides it",
    ),
    _r(
        "benefits:adjustment_run",
        frozenset({FUND}),
        lambda r: {"run_id": r.run("pension_adjustment").pk},
        note="the city's run: outside the district reviewer's and head's scope",
    ),
    _post(
        "benefits:adjustment_decision",
        NOBODY,
        lambda r: {"run_id": r.run("pension_adjustment").pk},
        note="approve within the city: head_shiyan, not one of the nine roles",
    ),
    _r(
        "benefits:adjustment_export",
        frozenset({FUND}),
        lambda r: {"run_id": r.run("pension_adjustment").pk},
    ),
    _r("benefits:pension_certify", LOCAL, _pension),
    _r("benefits:pension_death", LOCAL, _pension),
    _r("benefits:notice_detail", LOCAL, lambda r: {"notice_id": r.notice.pk}),
    _r("benefits:certification_sweeps", FUND_READERS),
    _r("benefits:certification_comparison", FUND_READERS),
    _r("benefits:overpayment_list", FUND_READERS),
    _post(
        "benefits:overpayment_recovery",
        frozenset({FUND}),
        lambda r: {"overpayment_id": r.overpayment.pk},
    ),
    _r("benefits:participant_death", LOCAL, _person),
    _r("benefits:death_benefit_claim", LOCAL, _person),
    _r("benefits:death_benefit_outcome", LOCAL, lambda r: r.person_case("SBBN009")),
    _r("benefits:inheritance_claim", LOCAL, _person),
    _r("benefits:inheritance_outcome", LOCAL, lambda r: r.person_case("SBBN008")),
    _r("benefits:unemployment_list", STAFF),
    _r("benefits:unemployment_stop", LOCAL, lambda r: {"benefit_id": r.unemployment.pk}),
    _r("benefits:unemployment_claim", LOCAL, _person),
    _r("benefits:unemployment_outcome", LOCAL, lambda r: r.person_case("SBBN011")),
    _r("benefits:injury_list", STAFF),
    _r("benefits:injury_detail", LOCAL, _injury),
    _r("benefits:injury_record", LOCAL, _person),
    _r("benefits:injury_assessment", LOCAL, _injury),
    _r("benefits:injury_disability", LOCAL, _injury),
    _r("benefits:injury_medical", LOCAL, _injury),
    _r("benefits:injury_death", LOCAL, _injury),
    # --- hall ----------------------------------------------------------------------------------
    # The console and the desk are for the counter clerks of the hall's own agency (accept).
    _r("hall:console", frozenset({OTHER, CLERK}), note="each clerk at their own agency's hall"),
    _r("hall:console_waiting", frozenset({OTHER, CLERK})),
    _post("hall:window_sign_in", HALL_CLERK, lambda r: {"window_id": r.window.pk}),
    _post("hall:window_sign_out", frozenset({OTHER, CLERK})),
    _post("hall:call_next", frozenset({OTHER, CLERK})),
    _post(
        "hall:ticket_transfer", HALL_CLERK, _ticket, data=lambda r: {"window": r.other_window.pk}
    ),
    _post("hall:ticket_case", HALL_CLERK, _ticket),
    _r("hall:slip", HALL_CLERK, _ticket),
    _post(
        "hall:ticket_action", HALL_CLERK, lambda r: {"ticket_id": r.ticket.pk, "action": "recall"}
    ),
    _r("hall:reception", frozenset({OTHER, CLERK})),
    _post("hall:check_in", frozenset({OTHER, CLERK})),
    _r("hall:overview", STAFF, note="the viewer's own agency's hall today"),
    _r("hall:appointments", frozenset({OTHER, CLERK})),
    _r("hall:home_visits", STAFF),
    _r("hall:home_visit", LOCAL, lambda r: {"visit_id": r.home_visit.pk}),
    _r("hall:home_visit_new", LOCAL, _person),
    _r("hall:board", EVERYONE, lambda r: {"agency_code": "420302"}, note="the public screen"),
    _r("hall:board_calls", EVERYONE, lambda r: {"agency_code": "420302"}),
    _r("api:board", EVERYONE, lambda r: {"agency_code": "420302"}, note="the public screen"),
    _r("api:tickets", HALL_CLERK, lambda r: {"agency_code": "420302"}),
    _post(
        "api:ticket_new", HALL_CLERK, lambda r: {"agency_code": "420302"}, json={"category": "A"}
    ),
    # --- legacy migration ----------------------------------------------------------------------
    _r(
        "migration:index",
        frozenset({OTHER, CLERK, HEAD, FUND, ADMIN}),
        note="who reads a report (audit, run_batch, configure) or the worklist (accept, audit)",
    ),
    _r("migration:issues", frozenset({OTHER, CLERK, HEAD, ADMIN})),
    _r(
        "migration:issue",
        frozenset({CLERK, HEAD, ADMIN}),
        lambda r: {"pk": r.issue.pk},
        note="a finding about 张伟: the worklist (accept, audit) of his agency and above",
    ),
    _r("migration:report", STATISTICS, lambda r: {"city_code": "420300"}),
    _r("migration:report_excel", STATISTICS, lambda r: {"city_code": "420300"}),
    _r("migration:rows", STATISTICS, lambda r: {"city_code": "420300", "entity": "persons"}),
    # --- statistics ----------------------------------------------------------------------------
    _r("reports:dashboard", STATISTICS),
    _r("reports:statements", STATISTICS),
    _r("reports:statement_excel", STATISTICS),
    _r("reports:dashboard_excel", STATISTICS),
    _r("reports:figure_excel", STATISTICS, lambda r: {"slug": "insured"}),
    _r("api:figure_list", STATISTICS),
    _r("api:figure_detail", STATISTICS, lambda r: {"slug": "insured"}),
    # --- documents -----------------------------------------------------------------------------
    _r("documents:verify_form", EVERYONE, note="public verification"),
    _r("documents:verify", EVERYONE, lambda r: {"code": r.person_document.code}),
    _post("documents:issue_personal_certificate", frozenset({CLERK}), _person),
    _post("documents:issue_employer_certificate", frozenset({CLERK}), _employer),
    _post(
        "documents:issue_account_statement",
        frozenset({CLERK}),
        lambda r: {"person_id": r.person.pk, "year": r.year},
    ),
    _post("documents:issue_bill", frozenset({CLERK}), lambda r: {"number": r.bill.number}),
    _post(
        "documents:issue_retirement_notice",
        frozenset({CLERK}),
        lambda r: {"pension_id": r.notice.pension_id},
    ),
    _r("documents:document_list", STAFF),
    _r("documents:document_detail", LOCAL, lambda r: {"code": r.person_document.code}),
    _r("documents:document_pdf", LOCAL, lambda r: {"code": r.person_document.code}),
    _post(
        "documents:document_revoke",
        frozenset({HEAD}),
        lambda r: {"code": r.person_document.code},
        note="approve and audit",
    ),
    # --- portal: sign-in (public) --------------------------------------------------------------
    _r("portal:index", EVERYONE),
    _r("portal:login", EVERYONE),
    _r(
        "portal:login_code",
        EVERYONE,
        ends_at_sign_in=True,
        note="without a sign-in under way, sent back to its first step",
    ),
    _r("portal:activate", EVERYONE),
    _r("portal:activate_code", EVERYONE),
    _r("portal:agent_login", EVERYONE),
    _r(
        "portal:agent_login_code",
        EVERYONE,
        ends_at_sign_in=True,
        note="without a sign-in under way, sent back to its first step",
    ),
    _r("portal:agent_activate", EVERYONE),
    _r("portal:agent_activate_code", EVERYONE),
    _post("portal:logout", EVERYONE),
    # --- portal: citizen (张伟's own records only) ---------------------------------------------
    _r("portal:citizen_home", CITIZENS),
    _r("portal:citizen_relations", CITIZENS),
    _r("portal:citizen_contributions", CITIZENS),
    _r("portal:citizen_contributions_xlsx", CITIZENS),
    _r("portal:citizen_statement", CITIZENS),
    _post("portal:citizen_statement_pdf", CITIZENS, lambda r: {"year": r.year}),
    _r("portal:citizen_certificate", CITIZENS),
    _post("portal:citizen_certificate_pdf", CITIZENS),
    _r("portal:citizen_document_pdf", CITIZENS, lambda r: {"code": r.person_document.code}),
    _r("portal:citizen_retirement", CITIZENS),
    _post(
        "portal:citizen_retirement_notice",
        NOBODY,
        note="张伟 has no pension, so no notice: not found, for him too",
    ),
    _r("portal:citizen_certification", NOBODY, note="张伟 draws no pension: not found"),
    _r("portal:citizen_unemployment", CITIZENS),
    _r("portal:citizen_cases", CITIZENS),
    _r("portal:citizen_case", CITIZENS, lambda r: {"case_id": r.case.pk}),
    _post(
        "portal:citizen_case_action",
        CITIZENS,
        lambda r: {"case_id": r.case.pk, "action": "withdraw"},
    ),
    _r("portal:citizen_appointments", CITIZENS),
    _post(
        "portal:citizen_appointment_cancel",
        CITIZENS,
        lambda r: {"appointment_id": r.appointment.pk},
    ),
    _r("portal:citizen_home_visit", CITIZENS),
    # --- portal: employer (the supermarket's records only) -------------------------------------
    _r("portal:agent_home", AGENTS),
    _r("portal:employer_staff", AGENTS),
    _r("portal:employer_staff_detail", AGENTS, lambda r: {"person_id": r.staff_person.pk}),
    _r("portal:employer_staff_add", AGENTS),
    _r("portal:employer_staff_remove", AGENTS),
    _r("portal:employer_batch", AGENTS),
    _r("portal:employer_batch_template", AGENTS, lambda r: {"kind": "addition"}),
    _post("portal:employer_batch_confirm", AGENTS, lambda r: {"token": STAGED}, staged_batch=True),
    _r("portal:employer_batch_report", AGENTS, lambda r: {"token": STAGED}, staged_batch=True),
    _r("portal:employer_bases", AGENTS),
    _post("portal:employer_bases_confirm", AGENTS),
    _r("portal:employer_bases_template", AGENTS),
    _r("portal:employer_bills", AGENTS),
    _r("portal:employer_bills_xlsx", AGENTS),
    _r("portal:employer_bill", AGENTS, lambda r: {"number": r.bill.number}),
    _r("portal:employer_bill_xlsx", AGENTS, lambda r: {"number": r.bill.number}),
    _post("portal:employer_bill_pdf", AGENTS, lambda r: {"number": r.bill.number}),
    _r("portal:employer_documents", AGENTS),
    _post("portal:employer_certificate_issue", AGENTS),
    _r("portal:employer_document_pdf", AGENTS, lambda r: {"code": r.employer_document.code}),
    _r("portal:employer_cases", AGENTS),
    _r("portal:employer_case", AGENTS, lambda r: {"case_id": r.employer_case.pk}),
    _r("portal:employer_case_submitted", AGENTS, lambda r: {"case_id": r.employer_case.pk}),
    _post("portal:employer_case_withdraw", AGENTS, lambda r: {"case_id": r.employer_case.pk}),
    _post("portal:employer_case_resubmit", AGENTS, lambda r: {"case_id": r.employer_case.pk}),
    _post("portal:employer_case_upload", AGENTS, lambda r: {"case_id": r.employer_case.pk}),
    _r("portal:employer_agents", AGENTS, note="赵敏 is the employer's administrator agent"),
    _post("portal:employer_agent_add", AGENTS),
    _post("portal:employer_agent_deactivate", AGENTS, lambda r: {"agent_id": r.other_agent.pk}),
    # --- portal: staff pages -------------------------------------------------------------------
    _r("portal:staff_kiosks", STAFF),
    _r("portal:staff_agents", LOCAL, _employer),
    _post(
        "portal:staff_agent_deactivate",
        frozenset({CLERK}),
        lambda r: {"employer_id": r.employer.pk, "agent_id": r.other_agent.pk},
    ),
    # --- kiosk (needs a registered kiosk's cookie: none of the nine roles has one) ------------
    _r("kiosk:home", NOBODY),
    _r(
        "kiosk:activate",
        EVERYONE,
        lambda r: {"key": "demo-kiosk-maojian-01"},
        note="the one-time key is the authority: whoever holds it turns the browser into K01",
    ),
    _r("kiosk:sign_in", NOBODY),
    _r("kiosk:sign_in_code", NOBODY),
    _r("kiosk:menu", NOBODY),
    _post("kiosk:sign_out", EVERYONE, note="ends whatever visit the browser has"),
    _r("kiosk:ticket_choose", NOBODY),
    _r("kiosk:ticket_green", NOBODY),
    _r("kiosk:ticket", NOBODY, _ticket),
    _r("kiosk:check_in", NOBODY),
    _r("kiosk:certificate", NOBODY),
    _r("kiosk:certificate_print", NOBODY, lambda r: {"code": r.person_document.code}),
    _r("kiosk:certificate_pdf", NOBODY, lambda r: {"code": r.person_document.code}),
    _r("kiosk:account", NOBODY),
    _r("kiosk:certify", NOBODY),
    _post("kiosk:ticket_for_me", NOBODY),
    # --- core ----------------------------------------------------------------------------------
    _r("core:home", STAFF),
    _r("core:login", EVERYONE),
    _post("core:logout", EVERYONE, ends_at_sign_in=True),
    _r("core:otp_verify", STAFF, note="a verified session is sent on to the page it asked for"),
    _r("core:otp_enrol", STAFF, note="a verified session is sent on to the page it asked for"),
    _r("core:staff_list", STAFF),
    _r("core:staff_detail", LOCAL, lambda r: {"username": "clerk_maojian"}),
    _post("core:staff_claim_grant", CONFIGURERS, lambda r: {"username": "clerk_maojian"}),
    _post(
        "core:staff_claim_revoke",
        CONFIGURERS,
        lambda r: {"username": "clerk_maojian", "claim_id": r.clerk_claim.pk},
    ),
    _r("core:agency_list", STAFF),
    _r("core:audit_list", AUDITORS),
    _r("core:audit_export", AUDITORS),
]
