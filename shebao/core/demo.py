"""Demo data for `make run` and the tests: Hubei's agency tree, roles and demo staff.

Idempotent: a second run changes nothing and writes no audit entry. Later apps add their own
demo data by extending ``seed_demo``.
"""

from __future__ import annotations

import importlib
import inspect
import time
from dataclasses import dataclass

from django.apps import apps
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shebao.core.actors import system_actor
from shebao.core.models import Agency, AgencyLevel, PermissionClaim, Staff, User
from shebao.core.services import (
    agency_create,
    claim_grant,
    role_define,
    staff_create,
    staff_password_set,
)

DEMO_PASSWORD = "Shebao-Demo-2026"  # noqa: S105 - published in the README for the demo
# The demo staff who need a second factor share this published TOTP secret (base32
# ONUGKYTBN4WWIZLNN4WXI33UOAWWWZLZ, for an authenticator app); `manage.py demo_otp USERNAME`
# prints the current code. Never a secret of a real account: demo_otp refuses any other.
DEMO_OTP_KEY = b"shebao-demo-totp-key".hex()

# (code, division code, name, English name, level, parent code) — division codes per rules.md §9.3;
# the two special zones have no county code and get agency codes of their own under 420300.
AGENCIES = [
    (
        "420000",
        "420000",
        "湖北省社会保险经办中心",
        "Hubei Provincial Social Insurance Agency",
        AgencyLevel.PROVINCE,
        None,
    ),
    (
        "420300",
        "420300",
        "十堰市社会保险局",
        "Shiyan Social Insurance Bureau",
        AgencyLevel.CITY,
        "420000",
    ),
    (
        "420302",
        "420302",
        "茅箭区社保经办机构",
        "Maojian District Social Insurance Office",
        AgencyLevel.DISTRICT,
        "420300",
    ),
    (
        "420303",
        "420303",
        "张湾区社保经办机构",
        "Zhangwan District Social Insurance Office",
        AgencyLevel.DISTRICT,
        "420300",
    ),
    (
        "420300-01",
        "420300",
        "十堰经济技术开发区社保经办机构",
        "Shiyan Economic and Technological Development Zone Social Insurance Office",
        AgencyLevel.DISTRICT,
        "420300",
    ),
    (
        "420300-02",
        "420300",
        "武当山旅游经济特区社保经办机构",
        "Wudangshan Tourism Economic Zone Social Insurance Office",
        AgencyLevel.DISTRICT,
        "420300",
    ),
    (
        "420100",
        "420100",
        "武汉市社会保险经办机构",
        "Wuhan Social Insurance Agency",
        AgencyLevel.CITY,
        "420000",
    ),
    (
        "420102",
        "420102",
        "江岸区社保经办机构",
        "Jiang'an District Social Insurance Office",
        AgencyLevel.DISTRICT,
        "420100",
    ),
]

ROLES = [
    ("clerk", "受理员", "Counter clerk", ["accept"]),
    ("reviewer", "审核员", "Reviewer", ["review", "approve"]),
    ("head", "经办机构负责人", "Agency head", ["review", "approve", "audit", "configure"]),
    ("fund_officer", "基金财务人员", "Fund officer", ["run_batch"]),
    ("admin", "系统管理员", "System administrator", ["configure", "audit"]),
    # Internal audit (稽核监督): reads the audit log of its agency's subtree, nothing else.
    ("auditor", "稽核监督员", "Auditor", ["audit"]),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    agency_code: str
    title: str
    claims: tuple[tuple[str, str], ...]  # (role code, item scope)
    superuser: bool = False


DEMO_USERS = [
    DemoUser("admin", "管理员", "420000", "系统管理员", (("admin", "*"),), superuser=True),
    DemoUser("clerk_maojian", "黄宇娇", "420302", "综合受理岗", (("clerk", "*"),)),
    DemoUser("reviewer_maojian", "陈志昌", "420302", "审核岗", (("reviewer", "*"),)),
    DemoUser("head_maojian", "刘春", "420302", "负责人", (("head", "*"),)),
    DemoUser(
        "clerk_zhangwan",
        "姜培霞",
        "420303",
        "综合受理岗",
        (("clerk", "category:registration"), ("clerk", "category:collection")),
    ),
    DemoUser("reviewer_zhangwan", "王绍玺", "420303", "审核岗", (("reviewer", "*"),)),
    DemoUser("fund_shiyan", "赵弘然", "420300", "基金财务科", (("fund_officer", "*"),)),
    # Approves what the fund officer computes for the whole city (the yearly adjustment).
    DemoUser("head_shiyan", "吴建平", "420300", "负责人", (("head", "*"),)),
    # Decides the legacy migration's findings about persons the city itself manages.
    DemoUser("clerk_shiyan", "孟凡", "420300", "数据迁移专班", (("clerk", "*"),)),
    DemoUser("clerk_wuhan", "李强", "420102", "综合受理岗", (("clerk", "*"),)),
    # A second province administrator, so parameter changes can be proposed and approved.
    DemoUser("policy_hubei", "周政", "420000", "政策法规岗", (("admin", "*"),)),
]

DEMO_PHONES = {
    "admin": "027-87654321",
    "clerk_maojian": "13907190001",
    "reviewer_maojian": "13907190002",
    "head_maojian": "13907190003",
    "clerk_zhangwan": "13907190004",
    "reviewer_zhangwan": "13907190005",
    "fund_shiyan": "13907190006",
    "head_shiyan": "13907190009",
    "clerk_shiyan": "13907190010",
    "clerk_wuhan": "13907190007",
    "policy_hubei": "13907190008",
}


def seed_agencies() -> dict[str, Agency]:
    actor = system_actor("seed_demo")
    agencies = {a.code: a for a in Agency.objects.all()}
    for code, division, name, name_en, level, parent_code in AGENCIES:
        if code not in agencies:
            agencies[code] = agency_create(
                actor=actor,
                code=code,
                division_code=division,
                name=name,
                name_en=name_en,
                level=level,
                parent=agencies[parent_code] if parent_code else None,
            )
    return agencies


def seed_staff(agencies: dict[str, Agency]) -> None:
    actor = system_actor("seed_demo")
    for code, name, name_en, actions in ROLES:
        role_define(actor=actor, code=code, name=name, name_en=name_en, actions=actions)
    for demo in DEMO_USERS:
        staff = (
            Staff.objects.select_related("user", "agency")
            .filter(user__username=demo.username)
            .first()
        )
        if staff is None:
            staff = staff_create(
                actor=actor,
                username=demo.username,
                password=DEMO_PASSWORD,
                full_name=demo.full_name,
                agency=agencies[demo.agency_code],
                title=demo.title,
                phone=DEMO_PHONES[demo.username],
                is_superuser=demo.superuser,
            )
        elif not staff.user.check_password(DEMO_PASSWORD):
            staff_password_set(actor=actor, staff=staff, password=DEMO_PASSWORD)
        held = set(
            PermissionClaim.objects.filter(staff=staff).values_list("role__code", "item_scope")
        )
        for role_code, item_scope in demo.claims:
            if (role_code, item_scope) not in held:
                claim_grant(actor=actor, staff=staff, role_code=role_code, item_scope=item_scope)
        seed_demo_otp_device(staff.user)


def seed_demo_otp_device(user: User) -> TOTPDevice | None:
    """A confirmed authenticator with the published demo secret, for a demo user whose roles
    need a second factor (none for the others, nor when one is already confirmed)."""
    from shebao.core.twofactor import confirmed_device, otp_required

    if not otp_required(user):
        return None
    device = confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="demo authenticator", key=DEMO_OTP_KEY, confirmed=True
        )
    return device


def demo_otp_code(device: TOTPDevice) -> str:
    """The code the demo authenticator shows now: the current time step's, or the next one's
    when the current code was already used (a code is accepted once)."""
    if device.key != DEMO_OTP_KEY:
        raise ValueError("only a device with the published demo secret has a demo code")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def seed_demo() -> None:
    seed_staff(seed_agencies())


def seed_all_apps(*, bulk: bool = True) -> None:
    """Run the ``seed_demo`` of every installed shebao app that has a ``demo`` module, in
    INSTALLED_APPS order (core first), so each app adds its own demo data. ``bulk`` adds the
    province-sized register (tests leave it out)."""
    for app in apps.get_app_configs():
        if not app.name.startswith("shebao."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.demo":
                raise
            continue
        if "bulk" in inspect.signature(module.seed_demo).parameters:
            module.seed_demo(bulk=bulk)
        else:
            module.seed_demo()
