"""The clean register of a synthetic city: its profile, employers with valid credit codes,
persons with valid distinct resident IDs, their relations and wages, retirees, and the pension
account's yearly balances exactly as the yearly interest crediting computes them."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from stdnum.cn import uscc

from shebao.core.identifiers import resident_id_with_check
from shebao.migration.synthetic.amounts import (
    FIRST_PERIOD,
    LAST_PERIOD,
    LAST_START,
    LAST_YEAR,
    PENSION,
    UNEMPLOYMENT,
    WORK_INJURY,
    add_months,
    contribution_amounts,
    crediting_rate,
    month_span,
    to_fen,
    year_months,
)
from shebao.rules.calculators.interest import MonthlyCredit, account_interest

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
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, Z, S, V


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


# --- the pension account --------------------------------------------------------------------------


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
