"""The cleansing rules of the legacy migration (docs/legacy-format.md): each a catalogued rule
code with the outcome it gives a row. The Chinese and English texts are what the reconciliation
report and the worklist show; ``{placeholders}`` are filled from the row."""

from __future__ import annotations

from dataclasses import dataclass

from shebao.core.errors import register_rule
from shebao.migration.models import Outcome
from shebao.migration.notes import notes_join

_BASIS = "docs/legacy-format.md; GB 11643-1999; GB 32100-2015"


@dataclass(frozen=True)
class CleansingRule:
    code: str
    entity: str
    outcome: str


CLEANSING: dict[str, CleansingRule] = {}


def _rule(code: str, entity: str, outcome: str, zh: str, en: str, basis: str = _BASIS) -> str:
    register_rule(code, zh, en, basis)
    CLEANSING[code] = CleansingRule(code, entity, outcome)
    return code


ID_15 = _rule(
    "MIG-ID-15",
    "persons",
    Outcome.FIXED,
    "15位旧身份号码{raw}已升位为18位{fixed}。",
    "The 15-digit legacy ID {raw} was upgraded to the 18-character {fixed}.",
)
ID_FORMAT = _rule(
    "MIG-ID-FORMAT",
    "persons",
    Outcome.REJECTED,
    "身份号码“{raw}”格式不正确或出生日期不存在，拒绝迁移。",
    "The resident ID '{raw}' is malformed or its birth date does not exist: rejected.",
)
ID_CHECKSUM = _rule(
    "MIG-ID-CHECKSUM",
    "persons",
    Outcome.REJECTED,
    "身份号码{raw}校验码错误，拒绝迁移，请原城市核实后重新报送。",
    "The check character of the resident ID {raw} is wrong: rejected; the city must check and "
    "deliver it again.",
)
ID_BIRTH = _rule(
    "MIG-ID-BIRTH",
    "persons",
    Outcome.FIXED,
    "出生日期{raw}与身份号码不一致，已按身份号码改为{fixed}。",
    "The birth date {raw} contradicts the resident ID: set to the ID's {fixed}.",
)
ID_SEX = _rule(
    "MIG-ID-SEX",
    "persons",
    Outcome.FIXED,
    "性别{raw}与身份号码不一致，已按身份号码改为{fixed}。",
    "The sex {raw} contradicts the resident ID: set to the ID's {fixed}.",
)
PERSON_DUPLICATE = _rule(
    "MIG-PERSON-DUPLICATE",
    "persons",
    Outcome.FLAGGED,
    "身份号码{resident_id}重复出现（姓名“{name}”与“{other}”）；姓名一致的已合并为一人，"
    "不一致的待人工确认姓名。",
    "The resident ID {resident_id} appears twice (names '{name}' and '{other}'): with the same "
    "name the rows are one person; with another name a clerk confirms the name.",
)
PERSON_SAME = _rule(
    "MIG-PERSON-SAME-PERSON",
    "persons",
    Outcome.FLAGGED,
    "{name}（{birth}）以两个身份号码登记，姓名、性别、出生日期和电话均相同，疑为一人多号，"
    "待人工确认是否合并。",
    "{name} (born {birth}) is registered under two resident IDs with the same name, sex, birth "
    "date and phone: possibly one person under two numbers; a clerk decides whether to merge.",
)
USCC_INVALID = _rule(
    "MIG-USCC-INVALID",
    "employers",
    Outcome.REJECTED,
    "统一社会信用代码“{raw}”格式或校验码错误，拒绝迁移。",
    "The unified social credit code '{raw}' is malformed or its check character is wrong: "
    "rejected.",
)
EMPLOYER_DUPLICATE = _rule(
    "MIG-EMPLOYER-DUPLICATE",
    "employers",
    Outcome.FIXED,
    "统一社会信用代码{code}重复出现，已合并为一个单位。",
    "The credit code {code} appears twice: the rows are one employer.",
)
EMPLOYER_MISSING = _rule(
    "MIG-REL-EMPLOYER-MISSING",
    "relations",
    Outcome.REJECTED,
    "参保关系所属单位{ref}不在单位文件中（或已被拒绝），拒绝迁移。",
    "The relation's employer {ref} is not in the employers file (or was rejected): rejected.",
)
PERSON_MISSING = _rule(
    "MIG-REF-PERSON-MISSING",
    "",
    Outcome.REJECTED,
    "所属人员{ref}不在人员文件中（或已被拒绝），拒绝迁移。",
    "The person {ref} is not in the persons file (or was rejected): rejected.",
)
RELATION_PERIODS = _rule(
    "MIG-REL-PERIODS",
    "relations",
    Outcome.REJECTED,
    "参保关系终止年月{end}早于开始年月{start}，拒绝迁移。",
    "The relation ends ({end}) before it starts ({start}): rejected.",
)
RELATION_OVERLAP = _rule(
    "MIG-REL-OVERLAP",
    "relations",
    Outcome.FLAGGED,
    "养老保险关系{start}—{end}与{where}的养老保险关系{other_start}—{other_end}重叠，"
    "待人工选择保留哪一条。",
    "The pension relation {start}–{end} overlaps the pension relation {other_start}–"
    "{other_end} held {where_en}: a clerk chooses the one that stays.",
)
CONTRIB_AFTER_DEATH = _rule(
    "MIG-CONTRIB-AFTER-DEATH",
    "contributions",
    Outcome.REJECTED,
    "缴费年月在死亡年月之后，拒绝迁移（应予退费）。",
    "A contribution month after the month of death: rejected (to be refunded).",
)
CONTRIB_DUPLICATE = _rule(
    "MIG-CONTRIB-DUPLICATE",
    "contributions",
    Outcome.REJECTED,
    "同一人员、险种、年月的缴费记录重复，拒绝后一条。",
    "The same person, scheme and month twice: the later row is rejected.",
)
CONTRIB_EXISTS = _rule(
    "MIG-CONTRIB-EXISTS",
    "contributions",
    Outcome.REJECTED,
    "全省系统中已有该人员该险种该年月的缴费记录，拒绝重复迁移。",
    "The province already holds this person's month for the scheme: rejected.",
)
ACCOUNT_MISMATCH = _rule(
    "MIG-ACCOUNT-MISMATCH",
    "accounts",
    Outcome.FLAGGED,
    "{year}年末个人账户余额{migrated}元与按缴费记录重建的{rebuilt}元相差{difference}元，"
    "待人工确认。",
    "The {year} year-end account balance {migrated} differs from the {rebuilt} rebuilt from "
    "the contribution history by {difference}: a clerk decides.",
    "劳办发〔1997〕116号; rules.md §2.3",
)
ACCOUNT_DUPLICATE = _rule(
    "MIG-ACCOUNT-DUPLICATE",
    "accounts",
    Outcome.REJECTED,
    "同一人员同一年度的账户记录重复，拒绝后一条。",
    "The same person and year twice: the later row is rejected.",
)
ACCOUNT_EXISTS = _rule(
    "MIG-ACCOUNT-EXISTS",
    "accounts",
    Outcome.REJECTED,
    "全省系统中已有本市为该人员迁移的账户余额，拒绝重复迁移。",
    "The province already holds this city's migrated balance for the person: rejected.",
)
RETIREE_DUPLICATE = _rule(
    "MIG-RETIREE-DUPLICATE",
    "retirees",
    Outcome.REJECTED,
    "该人员已有养老金待遇记录（本文件或全省系统中），拒绝重复迁移。",
    "The person already draws a pension (in this file or in the province): rejected.",
)
RETIREE_PARTS = _rule(
    "MIG-RETIREE-PARTS",
    "retirees",
    Outcome.REJECTED,
    "基础、个人账户、过渡性养老金之和{parts}元不等于月养老金{monthly}元，拒绝迁移。",
    "The basic, account and transitional parts add up to {parts}, not the monthly pension "
    "{monthly}: rejected.",
)
RETIREE_MONTHS = _rule(
    "MIG-RETIREE-MONTHS",
    "retirees",
    Outcome.REJECTED,
    "已发放至{paid}早于退休年月{retired}，拒绝迁移。",
    "Paid through {paid}, before the retirement month {retired}: rejected.",
)

# The worst outcome wins when several rules fire on one row.
_SEVERITY: dict[str, int] = {
    Outcome.LOADED: 0,
    Outcome.FIXED: 1,
    Outcome.FLAGGED: 2,
    Outcome.REJECTED: 3,
}


@dataclass
class Findings:
    """What the rules found on one row: the codes in order, notes, and the outcome."""

    outcome: str = Outcome.LOADED
    codes: list[str] | None = None
    notes: list[str] | None = None

    def add(self, code: str, note: str, outcome: str | None = None) -> None:
        outcome = outcome or CLEANSING[code].outcome
        self.codes = [*(self.codes or []), code]
        self.notes = [*(self.notes or []), note]
        if _SEVERITY[outcome] > _SEVERITY[self.outcome]:
            self.outcome = outcome

    @property
    def rejected(self) -> bool:
        return self.outcome == Outcome.REJECTED

    @property
    def rules(self) -> str:
        return ",".join(self.codes or [])

    @property
    def note(self) -> str:
        return notes_join(*(self.notes or []))
