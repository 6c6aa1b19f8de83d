"""Synthetic legacy data: a city's exchange files (docs/legacy-format.md) with defects injected
at known rates, and a manifest saying what was injected on which line.

The migration's tests and benchmarks need deliveries whose every defect is known in advance:
how many rows each cleansing rule must fix, flag or reject, and which ones. A real delivery
cannot say that, so :func:`generate_city` makes one:

- a clean register first: employers with valid credit codes, persons with valid distinct
  resident IDs, their pension, unemployment and work-injury relations, one contribution row
  per person, scheme and month, the pension account's yearly balances exactly as
  :func:`~shebao.rules.calculators.interest.account_interest` credits them, and retirees;
- then defects, each injected on a distinct person (or employer, relation, row) that is
  otherwise clean, so that each is found by exactly its rule and by nothing else. How many
  is ``max(1, round(rate × population))`` for a rate above zero and a non-empty population;
- then the files, streamed row by row (a million contribution rows in seconds), and
  ``manifest.json``: rows per file, money totals in fen, and per rule code the line numbers
  (header = line 1) of the defective rows and the outcome the rule must give them.

With ``other_city`` a small neighbour city is written beside it (employers, persons and
relations only), holding the persons whose pension relation overlaps across the two cities.

No database access: the files are the product, and the manifest is the test oracle.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from stdnum.cn import uscc

from shebao.core.identifiers import resident_id_with_check
from shebao.core.money import round_to_fen
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.params import NATIONAL, ParamValue, YamlParameters, default_parameter_dir

FIRST_PERIOD = 201601  # the first month of the generated history
LAST_START = 202412  # the latest start of a relation
LAST_PERIOD = 202512  # the last month paid, and the paid_through of every retiree
LAST_YEAR = LAST_PERIOD // 100
PENSION, UNEMPLOYMENT, WORK_INJURY = "110", "210", "410"
BASE_FLOOR_YUAN = 4299
BASE_CAP_YUAN = 21678
WAGE_MEDIAN_YUAN = 6500
WAGE_SIGMA = 0.45
PERSONS_PER_EMPLOYER = 40
RETIREE_SHARE = 0.03
FLEXIBLE_SHARE = 0.05
BLANK_DIVISION_SHARE = 0.05
COMMA_ADDRESS_SHARE = 0.03  # addresses with an ASCII comma, so the CSV quoting is exercised
CODE_MARK = "LGC"  # in every synthetic credit code (demo data uses MAD, bench BCH, tests TMX)
ENCODINGS = ("utf-8", "utf-8-sig", "gbk")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, Z, S, V

ENTITIES = ("employers", "persons", "relations", "contributions", "accounts", "retirees")
NEIGHBOUR_ENTITIES = ("employers", "persons", "relations")
COLUMNS: dict[str, tuple[str, ...]] = {
    "employers": ("legacy_id", "credit_code", "name", "division_code", "risk_class", "status"),
    "persons": (
        "legacy_id", "resident_id", "name", "sex", "birth_date", "phone", "address", "died_on",
    ),
    "relations": (
        "legacy_id", "person_id", "scheme", "employer_id", "start_period", "end_period",
        "status",
    ),
    "contributions": (
        "person_id", "scheme", "period", "employer_id", "base", "employer_amount",
        "individual_amount", "account_credit",
    ),
    "accounts": ("person_id", "year", "opening", "credits", "interest", "closing"),
    "retirees": (
        "person_id", "retirement_month", "group", "monthly_pension", "basic_pension",
        "account_pension", "transitional_pension", "contribution_months", "paid_through",
        "bank_name", "bank_account",
    ),
}  # fmt: skip
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "contributions": ("base", "employer_amount", "individual_amount", "account_credit"),
    "accounts": ("opening", "credits", "interest", "closing"),
    "retirees": ("monthly_pension", "basic_pension", "account_pension", "transitional_pension"),
}

# (employer, individual, account credit) shares of the base. A flexible worker (灵活就业)
# pays the whole 20 % himself; 8 points of it go to his account as for an employee.
_SHARES: dict[tuple[str, bool], tuple[Decimal, Decimal, Decimal]] = {
    (PENSION, False): (Decimal("0.16"), Decimal("0.08"), Decimal("0.08")),
    (PENSION, True): (Decimal(0), Decimal("0.20"), Decimal("0.08")),
    (UNEMPLOYMENT, False): (Decimal("0.007"), Decimal("0.003"), Decimal(0)),
    (WORK_INJURY, False): (Decimal("0.005"), Decimal(0), Decimal(0)),
}

# Names only from characters in GB 2312, so that every file can be written in GBK.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉建国志斌波宇浩凯鑫"
    "晨雪梅琳颖婷佳慧俊峰亮文海涌瑞鸿博睿欣怡子涵思雨梓萱"
)
TRADES = (
    "机械", "汽车零部件", "物流", "建筑工程", "餐饮管理", "电子科技", "纺织", "机械制造",
    "医药", "物业服务", "商贸", "水电安装",
)  # fmt: skip
SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "中国邮政储蓄银行")


@dataclass(frozen=True)
class CityProfile:
    """What a city's data looks like: its ID area codes, its employers' divisions, addresses."""

    code: str
    name: str
    areas: tuple[str, ...]  # the first six digits of its residents' IDs
    divisions: tuple[str, ...]  # its employers' division_code
    districts: tuple[str, ...]  # the districts of the areas, in their order
    streets: tuple[str, ...]


PROFILES = {
    "420300": CityProfile(
        code="420300",
        name="十堰",
        areas=("420302", "420303", "420304", "420322", "420381"),
        divisions=("420302", "420303"),
        districts=("茅箭区", "张湾区", "郧阳区", "郧西县", "丹江口市"),
        streets=("北京路", "人民路", "车城路", "朝阳路", "公园路", "东岳路", "浙江路", "发展大道"),
    ),
    "420100": CityProfile(
        code="420100",
        name="武汉",
        areas=("420102",),
        divisions=("420102",),
        districts=("江岸区",),
        streets=("解放大道", "中山大道", "沿江大道", "黄浦大街", "胜利街"),
    ),
}


def city_profile(code: str) -> CityProfile:
    """The profile of a city; a city without one gets a plain profile from its code."""
    if code in PROFILES:
        return PROFILES[code]
    district = code[:4] + "02"
    return CityProfile(code, "新城", (district,), (district,), ("城区",), ("人民路", "解放路"))


# --- defect rates and rule codes --------------------------------------------------------------


@dataclass(frozen=True)
class DefectRates:
    """The share of its population each defect is injected into (0 turns it off).

    The populations: persons for the person defects, the clean employers for ``uscc_invalid``,
    the relation rows for ``employer_missing``, the contribution rows (before duplication) for
    ``contrib_duplicate``, the persons with an account for ``account_mismatch``, the retirees
    for ``retiree_parts``.
    """

    id15: float = 0.03
    checksum: float = 0.005
    birth: float = 0.01
    duplicate_name: float = 0.005
    same_person: float = 0.005
    uscc_invalid: float = 0.01
    employer_missing: float = 0.005
    overlap_in_file: float = 0.003
    overlap_other_city: float = 0.003
    after_death: float = 0.003
    contrib_duplicate: float = 0.0005
    account_mismatch: float = 0.01
    retiree_parts: float = 0.02

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0 <= value <= 1:
                raise ValueError(f"defect rate {item.name} must be between 0 and 1, not {value}")

    @classmethod
    def none(cls) -> DefectRates:
        """No defect at all: a clean delivery."""
        return cls(**{item.name: 0.0 for item in fields(cls)})


ID_15 = "MIG-ID-15"
ID_CHECKSUM = "MIG-ID-CHECKSUM"
ID_BIRTH = "MIG-ID-BIRTH"
PERSON_DUPLICATE = "MIG-PERSON-DUPLICATE"
SAME_PERSON = "MIG-PERSON-SAME-PERSON"
USCC_INVALID = "MIG-USCC-INVALID"
EMPLOYER_MISSING = "MIG-REL-EMPLOYER-MISSING"
REL_OVERLAP = "MIG-REL-OVERLAP"
AFTER_DEATH = "MIG-CONTRIB-AFTER-DEATH"
CONTRIB_DUPLICATE = "MIG-CONTRIB-DUPLICATE"
ACCOUNT_MISMATCH = "MIG-ACCOUNT-MISMATCH"
RETIREE_PARTS = "MIG-RETIREE-PARTS"
PERSON_MISSING = "MIG-REF-PERSON-MISSING"  # the consequence of a rejected person


@dataclass(frozen=True)
class DefectKind:
    rule: str
    outcome: str  # fixed, flagged or rejected
    entity: str  # the file whose rows the rule finds


# Each DefectRates field: the rule that must find it, the outcome it must give, and where.
DEFECT_KINDS: dict[str, DefectKind] = {
    "id15": DefectKind(ID_15, "fixed", "persons"),
    "checksum": DefectKind(ID_CHECKSUM, "rejected", "persons"),
    "birth": DefectKind(ID_BIRTH, "fixed", "persons"),
    "duplicate_name": DefectKind(PERSON_DUPLICATE, "flagged", "persons"),
    "same_person": DefectKind(SAME_PERSON, "flagged", "persons"),
    "uscc_invalid": DefectKind(USCC_INVALID, "rejected", "employers"),
    "employer_missing": DefectKind(EMPLOYER_MISSING, "rejected", "relations"),
    "overlap_in_file": DefectKind(REL_OVERLAP, "flagged", "relations"),
    "overlap_other_city": DefectKind(REL_OVERLAP, "flagged", "relations"),
    "after_death": DefectKind(AFTER_DEATH, "rejected", "contributions"),
    "contrib_duplicate": DefectKind(CONTRIB_DUPLICATE, "rejected", "contributions"),
    "account_mismatch": DefectKind(ACCOUNT_MISMATCH, "flagged", "accounts"),
    "retiree_parts": DefectKind(RETIREE_PARTS, "rejected", "retirees"),
}
CONSEQUENCE_ENTITIES = ("relations", "contributions", "accounts", "retirees")


def defect_count(rate: float, population: int) -> int:
    """How many defects a rate injects into a population."""
    if rate <= 0 or population == 0:
        return 0
    return max(1, round(rate * population))


# --- the manifest -----------------------------------------------------------------------------


@dataclass
class Defect:
    """The rows one rule must find, in file order.

    Each row entry has its ``line`` (header = line 1) and its ``legacy_id`` (employers, persons,
    relations) or ``person_id`` (the other files), and by rule:

    - the second persons record: ``duplicate_of`` / ``same_as``, the first record's legacy_id;
    - relations: ``person_id``; an overlap ``against`` "file" (with ``overlaps``, the relation
      it overlaps) or the other city's code (with ``other_person_id``, the person there);
    - contributions: ``scheme`` and ``period``; accounts: ``year`` and ``difference_fen``
      (written − rebuilt closing); retirees: ``difference_fen`` (parts − monthly pension).
    """

    outcome: str
    entity: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    # Account mismatches only: written closing − rebuilt closing, in fen, per person.
    difference_fen: dict[str, int] | None = None

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def lines(self) -> list[int]:
        return [int(row["line"]) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "count": self.count,
            "outcome": self.outcome,
            "entity": self.entity,
            "rows": self.rows,
        }
        if self.difference_fen is not None:
            data["difference_fen"] = self.difference_fen
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Defect:
        defect = cls(
            data["outcome"], data["entity"], list(data["rows"]), data.get("difference_fen")
        )
        if data.get("count", defect.count) != defect.count:
            raise ValueError(f"manifest count {data['count']} differs from its {defect.count} rows")
        return defect


@dataclass
class Manifest:
    """What a generated city directory holds and which rows each rule must find."""

    city: str
    seed: int
    encoding: str
    rows: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    defects: dict[str, Defect] = field(default_factory=dict)
    consequences: dict[str, dict[str, int]] = field(default_factory=dict)
    other_city: dict[str, Any] | None = None
    files: dict[str, str] = field(default_factory=dict)

    def count(self, rule: str, *, other_city_migrated: bool = True) -> int:
        """The rows ``rule`` must find. An overlap with the other city is only found when the
        other city was migrated first: pass ``other_city_migrated=False`` when it was not."""
        defect = self.defects.get(rule)
        if defect is None:
            return 0
        if other_city_migrated:
            return defect.count
        return sum(1 for row in defect.rows if row.get("against", "file") == "file")

    def to_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "seed": self.seed,
            "encoding": self.encoding,
            "rows": self.rows,
            "totals": self.totals,
            "defects": {rule: defect.to_dict() for rule, defect in self.defects.items()},
            "consequences": self.consequences,
            "other_city": self.other_city,
            "files": self.files,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            city=data["city"],
            seed=data["seed"],
            encoding=data["encoding"],
            rows=dict(data["rows"]),
            totals={entity: dict(t) for entity, t in data["totals"].items()},
            defects={rule: Defect.from_dict(d) for rule, d in data["defects"].items()},
            consequences={rule: dict(c) for rule, c in data["consequences"].items()},
            other_city=data.get("other_city"),
            files=dict(data.get("files", {})),
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls.from_dict(json.loads(text))

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read ``manifest.json``, or the one in a city directory."""
        if path.is_dir():
            path = path / "manifest.json"
        return cls.from_json(path.read_text(encoding="utf-8"))


# --- periods and money ------------------------------------------------------------------------


def add_months(period: int, months: int) -> int:
    index = (period // 100) * 12 + period % 100 - 1 + months
    return (index // 12) * 100 + index % 12 + 1


def month_span(first: int, last: int) -> int:
    """Months from ``first`` to ``last``, both included."""
    return (last // 100 - first // 100) * 12 + last % 100 - first % 100 + 1


def year_months(first: int, last: int) -> Iterator[tuple[int, range]]:
    """The months from ``first`` to ``last`` (YYYYMM, both included), year by year."""
    for year in range(first // 100, last // 100 + 1):
        low = first if year == first // 100 else year * 100 + 1
        high = last if year == last // 100 else year * 100 + 12
        yield year, range(low, high + 1)


def yuan(fen: int) -> str:
    """Fen as the file writes money: yuan with two decimals, no separators (``4299.00``)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def to_fen(amount: Decimal) -> int:
    return int(round_to_fen(amount).scaleb(2))


@dataclass(frozen=True)
class _Amounts:
    """One month's contribution for a base and scheme, as fen and as the file's text."""

    fen: tuple[int, int, int, int]  # base, employer, individual, account credit
    text: tuple[str, str, str, str]
    credit: Decimal


@lru_cache(maxsize=65536)
def contribution_amounts(base_yuan: int, scheme: str, flexible: bool) -> _Amounts:
    """Every part of a month's contribution, each rounded half-up to the fen on its own."""
    base = Decimal(base_yuan)
    employer, individual, credit = (
        round_to_fen(base * share) for share in _SHARES[scheme, flexible]
    )
    fen = (base_yuan * 100, to_fen(employer), to_fen(individual), to_fen(credit))
    return _Amounts(fen, (yuan(fen[0]), yuan(fen[1]), yuan(fen[2]), yuan(fen[3])), credit)


@lru_cache(maxsize=1)
def _parameters() -> YamlParameters:
    return YamlParameters.from_directory(default_parameter_dir())


@lru_cache(maxsize=64)
def crediting_rate(year: int) -> ParamValue:
    """The national crediting rate in force for a year's interest (as the loader looks it up)."""
    return _parameters().lookup("account.crediting_rate", NATIONAL, date(year, 12, 31))


# --- the planned register ---------------------------------------------------------------------


@dataclass
class _Employer:
    legacy_id: str
    credit_code: str
    name: str
    division_code: str
    risk_class: int
    tag: str = ""  # the rule code of an injected defect


@dataclass
class _Relation:
    scheme: str
    employer_id: str  # as written in relations.csv ("" for a flexible worker)
    start: int
    end: int | None
    status: str
    paid_by: str  # the employer_id of its contribution rows
    paid_to: int | None  # its last contribution month; None: no contribution rows
    legacy_id: str = ""  # numbered in file order when written
    tag: str = ""
    note: dict[str, str] = field(default_factory=dict)  # more keys for the manifest row
    overlaps: _Relation | None = None

    @property
    def rows(self) -> int:
        return 0 if self.paid_to is None else month_span(self.start, self.paid_to)


@dataclass
class _Retiree:
    month: int
    group: str
    monthly_fen: int
    basic_fen: int
    account_fen: int
    transitional_fen: int
    contribution_months: int
    bank_name: str
    bank_account: str
    tag: str = ""

    @property
    def parts_off_fen(self) -> int:
        return self.basic_fen + self.account_fen + self.transitional_fen - self.monthly_fen


@dataclass
class _Person:
    legacy_id: str
    resident_id: str  # the true 18-character ID
    name: str
    sex: str  # M or F, as the ID says
    birth: date  # as the ID says
    phone: str
    address: str
    bases: dict[int, int]  # year → monthly base in yuan
    relations: list[_Relation] = field(default_factory=list)
    written_id: str = ""
    written_birth: date | None = None
    died_on: date | None = None
    retiree: _Retiree | None = None
    tag: str = ""
    note: dict[str, str] = field(default_factory=dict)
    mismatch_fen: int = 0  # asked change of the last closing balance; its sign may flip
    duplicate_rows: set[tuple[str, int]] = field(default_factory=set)  # (scheme, period)

    def relation(self, scheme: str) -> _Relation | None:
        return next((r for r in self.relations if r.scheme == scheme and r.paid_to), None)

    @property
    def flexible(self) -> bool:
        pension = self.relation(PENSION)
        return pension is not None and pension.employer_id == ""

    @property
    def start(self) -> int:
        return min(r.start for r in self.relations)

    @property
    def has_account(self) -> bool:
        return self.retiree is None and self.relation(PENSION) is not None

    @property
    def death_month(self) -> int | None:
        return None if self.died_on is None else self.died_on.year * 100 + self.died_on.month


@dataclass
class _City:
    profile: CityProfile
    employers: list[_Employer]
    persons: list[_Person]  # in file order: the register, then the second records


class _Register:
    """Draws the clean register: employers, persons, their relations and wages."""

    def __init__(self, rng: random.Random, profile: CityProfile) -> None:
        self.rng = rng
        self.profile = profile
        self.bodies: set[str] = set()  # resident IDs without check character, all distinct

    def employers(self, count: int) -> list[_Employer]:
        return [self.employer(number) for number in range(1, count + 1)]

    def employer(self, number: int) -> _Employer:
        rng, profile = self.rng, self.profile
        division = rng.choice(profile.divisions)
        name = f"{profile.name}{self.given(2)}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
        blank = rng.random() < BLANK_DIVISION_SHARE
        return _Employer(
            legacy_id=f"E{number:05d}",
            credit_code=credit_code(division, number),
            name=name,
            division_code="" if blank else division,
            risk_class=rng.randint(1, 8),
        )

    def given(self, count: int) -> str:
        return "".join(self.rng.choice(GIVEN) for _ in range(count))

    def new_id(self, birth: date, sex: str, *, area: str | None = None) -> str:
        """A valid resident ID not given before, for the birth date and sex."""
        rng = self.rng
        while True:
            chosen = area or rng.choice(self.profile.areas)
            # The last digit of the three-digit sequence (the ID's 17th) is odd for a man.
            sequence = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            body = f"{chosen}{birth:%Y%m%d}{sequence:03d}"
            if body not in self.bodies:
                self.bodies.add(body)
                return resident_id_with_check(body)

    def address(self, area: str = "") -> str:
        """An address in the city, in the district of ``area`` (an ID's first six digits)."""
        rng, profile = self.rng, self.profile
        if area in profile.areas and len(profile.districts) == len(profile.areas):
            district = profile.districts[profile.areas.index(area)]
        else:
            district = rng.choice(profile.districts)
        text = f"{profile.name}市{district}{rng.choice(profile.streets)}{rng.randint(1, 299)}号"
        if rng.random() < COMMA_ADDRESS_SHARE:
            text += f",{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
        return text

    def bases(self, first_year: int) -> dict[int, int]:
        """A monthly wage per year from ``first_year``: log-normal around the median, raised
        by a steady personal rate each year, within the base floor and cap."""
        rng = self.rng
        # Floats only draw the wage; it is rounded to whole yuan before any money is computed.
        wage = math.exp(rng.gauss(math.log(WAGE_MEDIAN_YUAN), WAGE_SIGMA))
        growth = 1 + rng.uniform(0.02, 0.07)
        return {
            year: min(
                BASE_CAP_YUAN, max(BASE_FLOOR_YUAN, round(wage * growth ** (year - first_year)))
            )
            for year in range(first_year, LAST_YEAR + 1)
        }

    def person(
        self,
        number: int,
        phone: str,
        employers: Sequence[_Employer],
        *,
        retiree: bool,
    ) -> _Person:
        rng = self.rng
        sex = rng.choice("MF")
        if retiree:
            birth = random_date(rng, date(1960, 1, 1), date(1965, 12, 31))
        else:
            # Persons still paying in 2025 are born 1966–2000: none is past retirement age.
            birth = random_date(rng, date(1966, 1, 1), date(2000, 12, 31))
        resident_id = self.new_id(birth, sex)
        name = rng.choice(SURNAMES) + self.given(rng.choice((1, 2)))
        person = _Person(
            legacy_id=f"P{number:06d}",
            resident_id=resident_id,
            name=name,
            sex=sex,
            birth=birth,
            phone=phone,
            address=self.address(resident_id[:6]),
            bases={},
        )
        if retiree:
            self.retire(person, rng.choice(employers).legacy_id)
        else:
            self.insure(person, employers)
        return person

    def insure(self, person: _Person, employers: Sequence[_Employer]) -> None:
        rng = self.rng
        start = add_months(FIRST_PERIOD, rng.randrange(month_span(FIRST_PERIOD, LAST_START)))
        person.bases = self.bases(start // 100)
        if rng.random() < FLEXIBLE_SHARE:
            person.relations = [open_relation(PENSION, "", start)]
            return
        employer = rng.choice(employers).legacy_id
        person.relations = [
            open_relation(scheme, employer, start)
            for scheme in (PENSION, UNEMPLOYMENT, WORK_INJURY)
        ]

    def retire(self, person: _Person, employer: str) -> None:
        rng = self.rng
        group = "male" if person.sex == "M" else rng.choice(("female-50", "female-55"))
        month = retirement_month(person.birth, group)
        if month is None:
            month = add_months(
                FIRST_PERIOD, rng.randint(12, month_span(FIRST_PERIOD, LAST_PERIOD) - 1)
            )
        person.bases = self.bases(FIRST_PERIOD // 100)
        person.relations = [
            _Relation(scheme, employer, FIRST_PERIOD, month, "retired", employer, month)
            for scheme in (PENSION, UNEMPLOYMENT, WORK_INJURY)
        ]
        monthly = rng.randint(250_000, 600_000)
        basic = monthly * rng.randint(40, 55) // 100
        account = monthly * rng.randint(15, 30) // 100
        person.retiree = _Retiree(
            month=month,
            group=group,
            monthly_fen=monthly,
            basic_fen=basic,
            account_fen=account,
            transitional_fen=monthly - basic - account,
            contribution_months=rng.randint(180, 480),
            bank_name=f"{rng.choice(BANKS)}{self.profile.name}分行",
            bank_account=f"6222{rng.randrange(10**15):015d}",
        )


def credit_code(division: str, number: int) -> str:
    """A valid unified social credit code (enterprise 91, registered in ``division``)."""
    body = f"91{division}{CODE_MARK}{number:06d}"
    return body + uscc.calc_check_digit(body)


def random_date(rng: random.Random, first: date, last: date) -> date:
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def open_relation(scheme: str, employer: str, start: int) -> _Relation:
    return _Relation(scheme, employer, start, None, "active", employer, LAST_PERIOD)


_RETIREMENT_AGE = {"male": 60, "female-50": 50, "female-55": 55}


def retirement_month(birth: date, group: str) -> int | None:
    """The month after the statutory age is reached, when it falls after a year of history."""
    month = add_months((birth.year + _RETIREMENT_AGE[group]) * 100 + birth.month, 1)
    return month if add_months(FIRST_PERIOD, 12) <= month <= LAST_PERIOD else None


# --- defect injection -------------------------------------------------------------------------


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


# --- writing ----------------------------------------------------------------------------------


class _Table:
    """One output file, written row by row; ``line`` is the file line of the last row."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = columns
        self.line = 1

    def write(self, row: Sequence[str]) -> int:
        self._emit((row,))
        self.line += 1
        return self.line

    def write_many(self, rows: Sequence[Sequence[str]]) -> None:
        self._emit(rows)
        self.line += len(rows)

    @property
    def rows(self) -> int:
        return self.line - 1

    def _emit(self, rows: Iterable[Sequence[str]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CsvTable(_Table):
    def __init__(self, path: Path, columns: Sequence[str], encoding: str) -> None:
        super().__init__(path, columns)
        self._file: IO[str] = path.open("w", encoding=encoding, newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(columns)

    def _emit(self, rows: Iterable[Sequence[str]]) -> None:
        self._writer.writerows(rows)

    def close(self) -> None:
        self._file.close()


class _ExcelTable(_Table):
    """The first sheet of a workbook, header in row 1; every value as text (as a city's export
    keeps IDs and periods). An empty value is written as an empty cell that is still there:
    with no cell at all, a read-only reader returns the row without its trailing empty
    columns, which would look like a row of the wrong length."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        super().__init__(path, columns)
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(path.stem)
        self._sheet.append(list(columns))

    def _emit(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self._sheet.append(list(row))

    def close(self) -> None:
        self._book.save(self.path)


class _Writer:
    """Writes one city's files and fills its manifest as the rows go out."""

    def __init__(
        self, target: Path, manifest: Manifest, *, encoding: str, excel: frozenset[str]
    ) -> None:
        self.target = target
        self.manifest = manifest
        self.encoding = encoding
        self.excel = excel
        self.rejected: set[str] = set()  # persons whose rows the loader must refuse

    def open(self, entity: str) -> _Table:
        excel = entity in self.excel
        path = self.target / f"{entity}{'.xlsx' if excel else '.csv'}"
        # The loader reads either form: a stale file of the other form would be read instead.
        path.with_suffix(".csv" if excel else ".xlsx").unlink(missing_ok=True)
        self.manifest.files[entity] = path.name
        if excel:
            return _ExcelTable(path, COLUMNS[entity])
        return _CsvTable(path, COLUMNS[entity], self.encoding)

    def finish(self, entity: str, table: _Table, totals: Sequence[int] | None = None) -> None:
        table.close()
        self.manifest.rows[entity] = table.rows
        if totals is not None:
            self.manifest.totals[entity] = dict(zip(MONEY_COLUMNS[entity], totals, strict=True))

    def record(self, rule: str, entry: dict[str, Any]) -> None:
        self.manifest.defects[rule].rows.append(entry)

    def consequence(self, entity: str, rows: int) -> None:
        self.manifest.consequences[PERSON_MISSING][entity] += rows

    def employers(self, employers: Sequence[_Employer]) -> None:
        table = self.open("employers")
        for e in employers:
            row = (e.legacy_id, e.credit_code, e.name, e.division_code, str(e.risk_class), "active")
            line = table.write(row)
            if e.tag:
                self.record(e.tag, {"line": line, "legacy_id": e.legacy_id})
        self.finish("employers", table)

    def persons(self, persons: Sequence[_Person]) -> None:
        table = self.open("persons")
        for p in persons:
            birth = p.written_birth or p.birth
            died = "" if p.died_on is None else p.died_on.isoformat()
            sex = "男" if p.sex == "M" else "女"
            row = (
                p.legacy_id,
                p.written_id or p.resident_id,
                p.name,
                sex,
                birth.isoformat(),
                p.phone,
                p.address,
                died,
            )
            line = table.write(row)
            if p.tag:
                self.record(p.tag, {"line": line, "legacy_id": p.legacy_id, **p.note})
            if p.tag == ID_CHECKSUM:
                self.rejected.add(p.legacy_id)
        self.finish("persons", table)

    def relations(self, persons: Sequence[_Person]) -> None:
        table = self.open("relations")
        for p in persons:
            for r in p.relations:
                r.legacy_id = f"R{table.line:06d}"
                end = "" if r.end is None else str(r.end)
                line = table.write(
                    (r.legacy_id, p.legacy_id, r.scheme, r.employer_id, str(r.start), end, r.status)
                )
                if r.tag:
                    entry: dict[str, Any] = {
                        "line": line,
                        "legacy_id": r.legacy_id,
                        "person_id": p.legacy_id,
                    }
                    if r.overlaps is not None:
                        entry["overlaps"] = r.overlaps.legacy_id
                    self.record(r.tag, {**entry, **r.note})
            if p.legacy_id in self.rejected:
                self.consequence("relations", len(p.relations))
        self.finish("relations", table)

    def contributions(self, persons: Sequence[_Person]) -> None:
        table = self.open("contributions")
        totals = [0, 0, 0, 0]
        for p in persons:
            for r in p.relations:
                if r.paid_to is not None:
                    self.spell(table, totals, p, r)
            if p.legacy_id in self.rejected:
                self.consequence("contributions", sum(r.rows for r in p.relations))
        self.finish("contributions", table, totals)

    def spell(self, table: _Table, totals: list[int], person: _Person, relation: _Relation) -> None:
        assert relation.paid_to is not None
        death = person.death_month
        flexible = relation.paid_by == ""
        for year, months in year_months(relation.start, relation.paid_to):
            amounts = contribution_amounts(person.bases[year], relation.scheme, flexible)
            rows = [
                (person.legacy_id, relation.scheme, str(m), relation.paid_by, *amounts.text)
                for m in months
            ]
            for index in range(4):
                totals[index] += amounts.fen[index] * len(rows)
            if death is None and not person.duplicate_rows:
                table.write_many(rows)  # the fast path of nearly every spell
                continue
            for row, period in zip(rows, months, strict=True):
                line = table.write(row)
                if death is not None and period > death:
                    entry = {
                        "line": line,
                        "person_id": person.legacy_id,
                        "scheme": relation.scheme,
                        "period": period,
                    }
                    self.record(AFTER_DEATH, entry)
                if (relation.scheme, period) in person.duplicate_rows:
                    line = table.write(row)
                    for index in range(4):
                        totals[index] += amounts.fen[index]
                    entry = {
                        "line": line,
                        "person_id": person.legacy_id,
                        "scheme": relation.scheme,
                        "period": period,
                    }
                    self.record(CONTRIB_DUPLICATE, entry)

    def accounts(self, persons: Sequence[_Person]) -> None:
        table = self.open("accounts")
        totals = [0, 0, 0, 0]
        mismatch = self.manifest.defects[ACCOUNT_MISMATCH]
        for p in persons:
            if not p.has_account:
                continue
            years = account_years(p)
            difference = mismatch_years(years, p.mismatch_fen) if p.mismatch_fen else 0
            for year in years:
                table.write((p.legacy_id, str(year.year), *(yuan(f) for f in year.fen)))
                for index in range(4):
                    totals[index] += year.fen[index]
            if difference:
                assert mismatch.difference_fen is not None
                mismatch.difference_fen[p.legacy_id] = difference
                entry = {"line": table.line, "person_id": p.legacy_id, "year": LAST_YEAR}
                self.record(ACCOUNT_MISMATCH, {**entry, "difference_fen": difference})
            if p.legacy_id in self.rejected:
                self.consequence("accounts", len(years))
        self.finish("accounts", table, totals)

    def retirees(self, persons: Sequence[_Person]) -> None:
        table = self.open("retirees")
        totals = [0, 0, 0, 0]
        for p in persons:
            r = p.retiree
            if r is None:
                continue
            money = (r.monthly_fen, r.basic_fen, r.account_fen, r.transitional_fen)
            row = (
                p.legacy_id, str(r.month), r.group, *(yuan(f) for f in money),
                str(r.contribution_months), str(LAST_PERIOD), r.bank_name, r.bank_account,
            )  # fmt: skip
            line = table.write(row)
            for index in range(4):
                totals[index] += money[index]
            if r.tag:
                entry = {"line": line, "person_id": p.legacy_id, "difference_fen": r.parts_off_fen}
                self.record(r.tag, entry)
            if p.legacy_id in self.rejected:
                self.consequence("retirees", 1)
        self.finish("retirees", table, totals)


@dataclass
class AccountYear:
    year: int
    fen: list[int]  # opening, credits, interest, closing


def account_years(person: _Person) -> list[AccountYear]:
    """The pension account year by year, from the first contribution year to the last year,
    exactly as the yearly interest crediting computes it from the pension months' credits."""
    pension = person.relation(PENSION)
    assert pension is not None
    assert pension.paid_to is not None
    flexible = pension.paid_by == ""
    credits: dict[int, list[MonthlyCredit]] = {}
    for year, months in year_months(pension.start, pension.paid_to):
        amount = contribution_amounts(person.bases[year], PENSION, flexible).credit
        credits[year] = [MonthlyCredit(period, amount) for period in months]
    opening = Decimal("0.00")
    years = []
    for year in range(pension.start // 100, LAST_YEAR + 1):
        result = account_interest(
            year=year, opening=opening, credits=credits.get(year, []), rate=crediting_rate(year)
        )
        outcome = result.value
        closing = outcome.closing_balance
        fen = [
            to_fen(opening),
            to_fen(outcome.credits_total),
            to_fen(outcome.interest),
            to_fen(closing),
        ]
        years.append(AccountYear(year, fen))
        opening = closing
    return years


def mismatch_years(years: list[AccountYear], asked_fen: int) -> int:
    """Change the last closing balance (and its interest, so that the row still adds up);
    a decrease larger than the interest turns into an increase, as interest is never negative
    in a city's file. Returns the difference written − rebuilt, in fen."""
    last = years[-1]
    difference = asked_fen if last.fen[2] + asked_fen >= 0 else -asked_fen
    last.fen[2] += difference
    last.fen[3] += difference
    return difference


# --- the entry point --------------------------------------------------------------------------


def _new_manifest(
    city: str, seed: int, encoding: str, other_city: dict[str, Any] | None
) -> Manifest:
    manifest = Manifest(city=city, seed=seed, encoding=encoding, other_city=other_city)
    for kind in DEFECT_KINDS.values():
        manifest.defects.setdefault(kind.rule, Defect(kind.outcome, kind.entity))
    manifest.defects[ACCOUNT_MISMATCH].difference_fen = {}
    manifest.consequences[PERSON_MISSING] = dict.fromkeys(CONSEQUENCE_ENTITIES, 0)
    return manifest


def _check_arguments(
    city: str, persons: int, encoding: str, other_city: str | None, excel: frozenset[str]
) -> None:
    for code in (city, other_city):
        if code is not None and not (len(code) == 6 and code.isdigit()):
            raise ValueError(f"a city is a six-digit division code, not {code!r}")
    if other_city == city:
        raise ValueError("the other city must differ from the city")
    if persons < 1:
        raise ValueError("at least one person is needed")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    unknown = sorted(excel - set(ENTITIES))
    if unknown:
        raise ValueError(f"unknown entities for Excel: {', '.join(unknown)}")


def generate_city(
    directory: Path,
    *,
    city: str = "420300",
    persons: int,
    seed: int = 1,
    rates: DefectRates = DefectRates(),
    encoding: str = "utf-8",
    other_city: str | None = "420100",
    excel: frozenset[str] = frozenset(),
) -> Manifest:
    """Write ``directory/<city>/`` (the six files and ``manifest.json``) and, with
    ``other_city``, ``directory/<other_city>/`` (employers, persons, relations and its own
    manifest); return the city's manifest. The same arguments give the same bytes."""
    _check_arguments(city, persons, encoding, other_city, excel)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    profile = city_profile(city)
    register = _Register(rng, profile)
    employers = register.employers(max(3, round(persons / PERSONS_PER_EMPLOYER)))
    plan = _City(profile, employers, _people(rng, register, employers, persons))
    injector = _Injector(rng, plan, register, rates, other_city)
    injector.inject()

    neighbour_info = None
    if other_city is not None:
        neighbour_info = {"city": other_city, "persons": len(injector.neighbours)}
    manifest = _new_manifest(city, seed, encoding, neighbour_info)
    _write(directory / city, plan, manifest, encoding=encoding, excel=excel, entities=ENTITIES)
    if other_city is not None:
        _write_neighbour(
            directory / other_city,
            rng,
            city_profile(other_city),
            injector.neighbours,
            city=city,
            seed=seed,
            encoding=encoding,
            excel=excel,
        )
    return manifest


def _people(
    rng: random.Random, register: _Register, employers: Sequence[_Employer], count: int
) -> list[_Person]:
    retirees = set(rng.sample(range(count), round(RETIREE_SHARE * count)))
    # Phones are distinct, so that only the injected pairs share name, birth, sex and phone.
    phones = rng.sample(range(10**8), count)
    return [
        register.person(index + 1, f"139{phones[index]:08d}", employers, retiree=index in retirees)
        for index in range(count)
    ]


def _write(
    target: Path,
    plan: _City,
    manifest: Manifest,
    *,
    encoding: str,
    excel: frozenset[str],
    entities: Sequence[str],
) -> None:
    target.mkdir(parents=True, exist_ok=True)
    writer = _Writer(target, manifest, encoding=encoding, excel=excel)
    writer.employers(plan.employers)
    writer.persons(plan.persons)
    writer.relations(plan.persons)
    if "contributions" in entities:
        writer.contributions(plan.persons)
        writer.accounts(plan.persons)
        writer.retirees(plan.persons)
    (target / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")


def _write_neighbour(
    target: Path,
    rng: random.Random,
    profile: CityProfile,
    persons: list[_Person],
    *,
    city: str,
    seed: int,
    encoding: str,
    excel: frozenset[str],
) -> None:
    """The other city's delivery: its employers and the persons who also insured in ``city``,
    each with an open pension relation that overlaps the one in ``city``."""
    register = _Register(rng, profile)
    employers = register.employers(max(3, round(len(persons) / PERSONS_PER_EMPLOYER)))
    overlap = DEFECT_KINDS["overlap_other_city"]
    for person in persons:
        person.address = register.address()
        relation = person.relations[0]
        relation.employer_id = relation.paid_by = rng.choice(employers).legacy_id
        # Found when ``city`` is migrated first: the mirror image of the city's own finding.
        relation.tag = overlap.rule
        relation.note = {"against": city, **relation.note}
    manifest = Manifest(city=profile.code, seed=seed, encoding=encoding)
    manifest.defects[overlap.rule] = Defect(overlap.outcome, overlap.entity)
    manifest.other_city = {"city": city, "persons": len(persons)}
    _write(
        target,
        _City(profile, employers, persons),
        manifest,
        encoding=encoding,
        excel=excel,
        entities=NEIGHBOUR_ENTITIES,
    )
