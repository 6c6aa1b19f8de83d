"""A province-like demo register: about 200 employers and 20,000 persons across the Shiyan
agencies and Wuhan, with valid identifiers, common Chinese names and several years of
employment history. Deterministic (a fixed seed), written with bulk inserts in one
transaction, recorded as one audit entry, and skipped when already there."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc

from shebao.core.actors import system_actor
from shebao.core.audit import audit_record
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.periods import period_add
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus, Sex

SEED = 2026
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉建国志斌波宇浩凯鑫"
    "晨雪梅琳颖婷佳慧俊峰亮文海涌瑞鸿博睿欣怡子涵思雨梓萱"
)
TRADES = [
    "超市",
    "汽车零部件",
    "物流",
    "建筑工程",
    "餐饮管理",
    "电子科技",
    "纺织",
    "机械制造",
    "医药",
    "物业服务",
]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
# (agency code, area codes of its residents' IDs, city name used in employer names)
AGENCY_AREAS = [
    ("420302", ["420302", "420303", "420322"], "十堰"),
    ("420303", ["420303", "420302", "420323"], "十堰"),
    ("420300-01", ["420300", "420381", "420304"], "十堰"),
    ("420300-02", ["420381", "420325"], "武当山"),
    ("420102", ["420102", "420103", "420106", "420111"], "武汉"),
]
DEMO_CODE_MARK = "MAD"  # in every bulk demo credit code, so a rerun finds them
LAST_HISTORY_PERIOD = 202510  # ended spells end no later than this


@dataclass(frozen=True)
class BulkCounts:
    employers: int
    persons: int
    relations: int


def _credit_code(division: str, number: int) -> str:
    body = f"91{division}{DEMO_CODE_MARK}{number:06d}"[:17]
    return body + uscc.calc_check_digit(body)


def seed_bulk(*, employers: int = 200, persons: int = 20_000) -> BulkCounts | None:
    if Employer.objects.filter(credit_code__contains=DEMO_CODE_MARK).exists():
        return None
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    agencies = {
        a.code: a for a in Agency.objects.filter(code__in=[c for c, _a, _n in AGENCY_AREAS])
    }
    taken = set(Person.objects.values_list("resident_id", flat=True))
    with transaction.atomic(durable=True):
        firms = _employers(rng, agencies, employers)
        people = _persons(rng, agencies, persons, taken)
        relations = _relations(rng, people, firms)
        audit_record(
            actor=system_actor("seed_demo"),
            action="registry.demo_import",
            target_type="registry",
            target_id="demo",
            after={"employers": len(firms), "persons": len(people), "relations": relations},
        )
    return BulkCounts(len(firms), len(people), relations)


def _employers(rng: random.Random, agencies: dict[str, Agency], count: int) -> list[Employer]:
    rows = []
    for number in range(count):
        code, _areas, city = AGENCY_AREAS[number % len(AGENCY_AREAS)]
        agency = agencies[code]
        risk = rng.randint(1, 8)
        rows.append(
            Employer(
                credit_code=_credit_code(agency.division_code, number),
                name=f"{city}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(TRADES)}"
                f"{rng.choice(SUFFIXES)}",
                legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
                division_code=agency.division_code,
                industry=rng.choice(TRADES),
                risk_class=risk,
                floating_tier=100,
                managing_agency=agency,
            )
        )
    return Employer.objects.bulk_create(rows, batch_size=500)


PERSON_COLUMNS = (
    "resident_id", "name", "sex", "birth_date", "ethnicity", "hukou_type", "phone", "address",
    "bank_name", "bank_account", "status", "managing_agency_id", "created_at",
)  # fmt: skip
RELATION_COLUMNS = (
    "person_id", "scheme", "employer_id", "kind", "start_period", "end_period", "status",
    "start_reason", "end_reason", "agency_id", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    pk: int
    agency_id: int
    birth_year: int


def _persons(
    rng: random.Random, agencies: dict[str, Agency], count: int, taken: set[str]
) -> list[DemoPerson]:
    rows: list[tuple[Any, ...]] = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    while len(rows) < count:
        code, areas, _city = AGENCY_AREAS[len(rows) % len(AGENCY_AREAS)]
        birth = date(rng.randint(1968, 2003), rng.randint(1, 12), rng.randint(1, 28))
        sequence = rng.randint(0, 999)
        resident_id = resident_id_with_check(f"{rng.choice(areas)}{birth:%Y%m%d}{sequence:03d}")
        if resident_id in taken:
            continue
        taken.add(resident_id)
        rows.append(
            (
                resident_id,
                rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                Sex.MALE if sequence % 2 else Sex.FEMALE,
                connection.ops.adapt_datefield_value(birth),
                "汉族" if rng.random() < 0.95 else "土家族",
                "urban" if rng.random() < 0.6 else "rural",
                f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                "",
                "",
                "",
                "active",
                agencies[code].pk,
                now,
            )
        )
    _insert_many(Person._meta.db_table, PERSON_COLUMNS, rows)
    ids = dict(Person.objects.values_list("resident_id", "pk"))
    return [DemoPerson(ids[row[0]], row[11], int(str(row[3])[:4])) for row in rows]


def _relations(rng: random.Random, people: list[DemoPerson], firms: list[Employer]) -> int:
    """One to three employment spells each, in the person's own city; the last one still
    active for most people."""
    by_agency: dict[int, list[Employer]] = {}
    for firm in firms:
        by_agency.setdefault(firm.managing_agency_id, []).append(firm)
    rows: list[tuple[Any, ...]] = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for person in people:
        earliest = max(2010, person.birth_year + 18) * 100 + 1
        start = period_add(earliest, rng.randint(0, 60))
        spells = rng.choice((1, 1, 2, 2, 3))
        for spell in range(spells):
            firm = rng.choice(by_agency[person.agency_id])
            last = spell == spells - 1
            end = None if last and rng.random() < 0.85 else period_add(start, rng.randint(6, 48))
            if end is not None and end > LAST_HISTORY_PERIOD:
                end = None
            status = RelationStatus.ACTIVE if end is None else RelationStatus.ENDED
            reason = "" if end is None else rng.choice(("resignation", "contract_end"))
            for scheme in ("pension", "unemployment", "work_injury"):
                rows.append(
                    (person.pk, scheme, firm.pk, "employee", start, end, status, "new_hire",
                     reason, firm.managing_agency_id, now)
                )  # fmt: skip
            if end is None:
                break
            start = period_add(end, rng.randint(1, 6))
    _insert_many(InsuredRelation._meta.db_table, RELATION_COLUMNS, rows)
    return len(rows)


def _insert_many(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT for all rows: bulk_create builds a model and compiles SQL per row
    batch, which makes 100,000 rows take half a minute instead of seconds."""
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
