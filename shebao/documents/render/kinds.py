"""The body of each kind of document, drawn from its facts alone (nothing here reads the
database: a re-download renders the stored facts and must give the same bytes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.platypus import Flowable

from shebao.core.money import format_yuan
from shebao.documents.facts.account import age_text
from shebao.documents.facts.common import date_text, month_short, month_text, months_text
from shebao.documents.facts.employer import arrears_sentence
from shebao.documents.render.base import (
    HEADING_SMALL,
    Rendered,
    fields,
    heading,
    para,
    pdf_build,
    table,
)

Body = tuple[list[Flowable], list[str]]
NUMERALS = "一二三四五六七八九十"


def _base_range(low: int, high: int) -> str:
    return format_yuan(low) if low == high else f"{format_yuan(low)} 至 {format_yuan(high)}"


def _known(fen: int | None) -> str:
    return "不详" if fen is None else format_yuan(fen)


def _person_intro(person: dict[str, Any]) -> str:
    return f"{person['name']}（性别：{person['sex']}，公民身份号码：{person['resident_id']}）"


# --- 参保缴费证明 --------------------------------------------------------------------------------


def _scheme_section(number: str, scheme: dict[str, Any]) -> list[Flowable]:
    flow: list[Flowable] = [heading(f"{number}、{scheme['label']}缴费记录")]
    if not scheme["total_months"] and not scheme["unpaid"]:
        return [*flow, para("无缴费记录。")]
    if scheme["ranges"]:
        flow.append(
            table(
                ["起始年月", "截止年月", "月数", "缴费单位"],
                [
                    [month_short(r["from"]), month_short(r["to"]), r["months"], r["payer"]]
                    for r in scheme["ranges"]
                ],
                [0.16, 0.16, 0.1, 0.58],
                right=(2,),
            )
        )
        years = [
            [
                y["year"],
                y["months"],
                _base_range(y["base_min_fen"], y["base_max_fen"]),
                _known(y["individual_fen"]),
                _known(y["employer_fen"]),
                "本系统" if y["origin"] == "assessment" else "启用前记录",
            ]
            for y in scheme["years"]
        ]
        years.append(
            [
                "合计",
                scheme["total_months"],
                "",
                format_yuan(scheme["individual_fen"]),
                format_yuan(scheme["employer_fen"]),
                "",
            ]
        )
        flow += [
            para(f"{scheme['label']}年度缴费明细", HEADING_SMALL),
            table(
                [
                    "年度",
                    "月数",
                    "月缴费基数（元）",
                    "个人缴费（元）",
                    "单位缴费（元）",
                    "记录来源",
                ],
                years,
                [0.1, 0.08, 0.26, 0.18, 0.18, 0.2],
                right=(1, 2, 3, 4),
                bold_last=True,
            ),
        ]
    if scheme["unpaid"]:
        flow += [
            para("已核定未到账的月份（不计入缴费月数）", HEADING_SMALL),
            table(
                ["费款所属期", "缴费基数（元）", "个人应缴（元）", "单位应缴（元）"],
                [
                    [
                        month_short(u["period"]),
                        format_yuan(u["base_fen"]),
                        format_yuan(u["individual_fen"]),
                        format_yuan(u["employer_fen"]),
                    ]
                    for u in scheme["unpaid"]
                ],
                [0.25, 0.25, 0.25, 0.25],
                right=(1, 2, 3),
            ),
        ]
    return flow


def personal_certificate(facts: dict[str, Any]) -> Body:
    body = facts["body"]
    person = body["person"]
    flow: list[Flowable] = [
        para(
            f"兹证明 {_person_intro(person)} 参加{facts['province']}企业职工社会保险，"
            f"参保关系由{person['agency']}管理。截至{date_text(body['as_of'])}，"
            "其参保缴费情况如下。"
        ),
        heading("一、参保状态"),
        table(
            ["险种", "当前状态", "参保单位", "首次参保", "累计缴费月数", "其中启用前"],
            [
                [
                    s["label"],
                    s["status"],
                    s["payer"],
                    month_short(s["since"]) if s["since"] else "—",
                    s["total_months"],
                    s["history_months"],
                ]
                for s in body["schemes"]
            ],
            [0.16, 0.13, 0.35, 0.12, 0.13, 0.11],
            right=(4, 5),
        ),
    ]
    for index, scheme in enumerate(body["schemes"], 2):
        flow += _scheme_section(NUMERALS[index - 1], scheme)
    notes = [
        "缴费月数只计已足额到账的月份；已核定但未到账的月份单列，不计入累计缴费月数。",
        "“启用前记录”为本系统启用前由原社会保险信息系统迁移或经人事档案认定的缴费月份，"
        "原系统未记载缴费金额的标为“不详”，其月数计入累计缴费月数。",
        "同一月份只计一次；工伤保险由用人单位缴费，个人不缴费。",
        "本证明反映截至开具日期的记录，此后的补缴、更正以届时记录为准。",
    ]
    return flow, notes


# --- 单位参保证明 --------------------------------------------------------------------------------


def employer_certificate(facts: dict[str, Any]) -> Body:
    body = facts["body"]
    employer = body["employer"]
    flow: list[Flowable] = [
        para(
            f"兹证明 {employer['name']}（统一社会信用代码：{employer['credit_code']}）"
            f"在{employer['agency']}办理社会保险登记，参保状态为“{employer['status']}”。"
            f"截至{date_text(body['as_of'])}，其参保缴费情况如下。"
        ),
        heading("一、单位基本信息"),
        fields(
            [
                ("单位名称", employer["name"]),
                ("统一社会信用代码", employer["credit_code"]),
                ("法定代表人", employer["legal_representative"] or "—"),
                ("社保经办机构", employer["agency"]),
                ("参保状态", employer["status"]),
                ("首次参保年月", month_short(employer["since"]) if employer["since"] else "—"),
            ]
        ),
        heading("二、当前参保人数"),
        table(
            ["险种", "参保人数（人）"],
            [[h["label"], h["persons"]] for h in body["headcount"]],
            [0.5, 0.5],
            right=(1,),
        ),
        heading(f"三、近期缴费情况（最近 {len(body['periods'])} 个核定期）"),
    ]
    if body["periods"]:
        flow.append(
            table(
                [
                    "所属期",
                    "人数",
                    "养老缴费基数合计",
                    "单位缴费",
                    "个人缴费",
                    "应缴合计",
                    "已缴",
                    "缴费状态",
                ],
                [
                    [
                        month_short(p["period"]),
                        p["persons"],
                        format_yuan(p["pension_base_fen"]),
                        format_yuan(p["employer_fen"]),
                        format_yuan(p["individual_fen"]),
                        format_yuan(p["due_fen"]),
                        format_yuan(p["paid_fen"]),
                        p["status"],
                    ]
                    for p in body["periods"]
                ],
                [0.1, 0.07, 0.15, 0.12, 0.12, 0.12, 0.12, 0.2],
                right=(1, 2, 3, 4, 5, 6),
            )
        )
    else:
        flow.append(para("无核定记录。"))
    flow += [heading("四、欠费情况"), para(arrears_sentence(body))]
    pending = body["not_yet_due"]
    if pending["bills"]:
        flow.append(
            para(
                f"另有 {pending['bills']} 张缴费单尚未到应缴截止日期，"
                f"未缴金额合计 {format_yuan(pending['outstanding_fen'])} 元。"
            )
        )
    notes = [
        "金额单位为元；应缴合计含滞纳金，以缴费单为准。",
        "当前参保人数为开具日处于参保缴费状态的人数。",
        "本证明反映截至开具日期的记录。",
    ]
    return flow, notes


# --- 个人账户对账单 ------------------------------------------------------------------------------


def account_statement(facts: dict[str, Any]) -> Body:
    body = facts["body"]
    person = body["person"]
    provisional = any(i["provisional"] for i in body["interest"])
    flow: list[Flowable] = [
        para(
            f"{_person_intro(person)} 的基本养老保险个人账户 {body['year']} 年度记账情况如下"
            f"（经办机构：{person['agency']}）。"
        ),
        heading("一、年度汇总"),
        fields(
            [
                ("上年末余额", f"{format_yuan(body['opening_fen'])} 元"),
                ("本年缴费记账", f"{format_yuan(body['credits_fen'])} 元"),
                (
                    "本年利息",
                    f"{format_yuan(body['interest_fen'])} 元"
                    + ("（含暂计）" if provisional else ""),
                ),
                ("其他变动", f"{format_yuan(body['others_fen'])} 元"),
                ("本年末余额", f"{format_yuan(body['closing_fen'])} 元"),
                ("累计缴费月数", f"{body['contribution_months']} 个月"),
            ]
        ),
        heading("二、缴费记账明细"),
    ]
    if body["credits"]:
        flow.append(
            table(
                ["记账月份", "费款所属期", "记账金额（元）"],
                [
                    [
                        f"{body['year']}-{c['month']:02d}",
                        "、".join(month_short(p) for p in c["periods"]),
                        format_yuan(c["amount_fen"]),
                    ]
                    for c in body["credits"]
                ]
                + [["合计", "", format_yuan(body["credits_fen"])]],
                [0.25, 0.45, 0.3],
                right=(2,),
                bold_last=True,
            )
        )
    else:
        flow.append(para("本年无缴费记账。"))
    flow.append(heading("三、利息"))
    if body["interest"]:
        flow.append(
            table(
                ["记账月份", "记账利率", "利息（元）", "说明"],
                [
                    [
                        f"{body['year']}-{i['month']:02d}",
                        i["rate_percent"],
                        format_yuan(i["amount_fen"]),
                        "暂计" if i["provisional"] else "",
                    ]
                    for i in body["interest"]
                ],
                [0.25, 0.25, 0.25, 0.25],
                right=(2,),
            )
        )
    else:
        flow.append(para("本年尚未结息。"))
    if body["others"]:
        flow += [
            heading("四、其他变动"),
            table(
                ["记账月份", "类型", "费款所属期", "金额（元）"],
                [
                    [
                        f"{body['year']}-{o['month']:02d}",
                        o["label"],
                        month_short(o["period"]) if o["period"] else "",
                        format_yuan(o["amount_fen"]),
                    ]
                    for o in body["others"]
                ],
                [0.2, 0.35, 0.2, 0.25],
                right=(3,),
            ),
        ]
    notes = [
        "本年末余额 = 上年末余额 + 本年缴费记账 + 本年利息 + 其他变动。",
        "利息按国家公布的当年记账利率计算；标为“暂计”的利息按最近已公布的利率暂计，"
        "当年利率公布后据实调整。",
        "累计缴费月数为截至本年末有个人账户记账的缴费月份数。",
    ]
    return flow, notes


# --- 缴费单 --------------------------------------------------------------------------------------


def bill(facts: dict[str, Any]) -> Body:
    body = facts["body"]
    info, payer = body["bill"], body["payer"]
    is_employer = payer["type"] == "employer"
    flow: list[Flowable] = [
        fields(
            [
                ("缴费单号", info["number"]),
                ("缴费单类型", info["kind_label"]),
                ("缴费单位" if is_employer else "缴费人", payer["name"]),
                ("统一社会信用代码" if is_employer else "公民身份号码", payer["code"]),
                ("费款所属期", month_text(info["period"])),
                ("应缴截止日期", date_text(info["due_date"])),
                ("开单日期", date_text(info["issued_on"])),
                ("人数", f"{info['persons']} 人"),
            ]
        ),
        heading("一、缴费明细"),
    ]
    rows: list[list[object]] = []
    for person in body["persons"]:
        for index, item in enumerate(person["lines"]):
            first = index == 0
            rows.append(
                [
                    person["name"] if first else "",
                    person["resident_id"] if first else "",
                    item["scheme"],
                    format_yuan(item["base_fen"]),
                    format_yuan(item["employer_fen"]),
                    format_yuan(item["individual_fen"]),
                ]
            )
    rows.append(
        [
            "合计",
            "",
            "",
            "",
            format_yuan(body["lines_employer_fen"]),
            format_yuan(body["lines_individual_fen"]),
        ]
    )
    # One table, so that every page it runs over repeats the column headers; plain cells keep
    # a large employer's bill quick (6,000 lines, 150 pages: about 6 s).
    flow.append(
        table(
            ["姓名", "公民身份号码", "险种", "缴费基数（元）", "单位缴费（元）", "个人缴费（元）"],
            rows,
            [0.14, 0.24, 0.16, 0.16, 0.15, 0.15],
            right=(3, 4, 5),
            bold_last=True,
            wrap=False,
        )
    )
    flow += [
        heading("二、应缴与缴费情况"),
        fields(
            [
                ("单位缴费合计", f"{format_yuan(info['employer_fen'])} 元"),
                ("个人缴费合计", f"{format_yuan(info['individual_fen'])} 元"),
                ("滞纳金", f"{format_yuan(info['late_fee_fen'])} 元"),
                ("应缴合计", f"{format_yuan(info['total_fen'])} 元"),
                ("缴费状态", info["status_label"]),
                ("已缴金额", f"{format_yuan(info['paid_fen'])} 元"),
                ("到账日期", date_text(info["paid_on"]) if info["paid_on"] else "—"),
                ("未缴金额", f"{format_yuan(info['outstanding_fen'])} 元"),
            ]
        ),
    ]
    notes = [
        "缴费单金额自开单后不再变动；登记或基数变化形成的差额另开差额缴费单。",
        "缴费状态与已缴金额为开具本文书时税务部门回传的到账情况。",
        "逾期未缴的，自滞纳之日起按日加收万分之五的滞纳金（社会保险法第八十六条）。",
    ]
    return flow, notes


# --- 退休待遇核定通知书 --------------------------------------------------------------------------


def retirement_notice(facts: dict[str, Any]) -> Body:
    body = facts["body"]
    person, case = body["person"], body["case"]
    base = f"{format_yuan(body['benefit_base_fen'])} 元（{body['benefit_base_year']} 年度）"
    if body["provisional"]:
        base += "，暂定"
    flow: list[Flowable] = [
        para(
            f"{_person_intro(person)}：经审核，你的退休申请符合规定，"
            f"自 {month_text(body['start_period'])} 起按月领取基本养老金，核定如下。"
        ),
        heading("一、核定依据"),
        fields(
            [
                ("退休人员类别", body["group"]),
                ("退休年月", month_text(body["retirement_month"])),
                ("退休年龄", age_text(body["retirement_age_months"])),
                ("待遇起始年月", month_text(body["start_period"])),
                ("缴费年限（含视同）", months_text(body["contribution_months"])),
                ("其中视同缴费年限", months_text(body["deemed_months"])),
                ("平均缴费指数", body["average_index"]),
                ("计发基数", base),
                ("个人账户储存额", f"{format_yuan(body['account_balance_fen'])} 元"),
                ("计发月数", f"{body['divisor']} 个月" if body["divisor"] else "—"),
            ]
        ),
        heading("二、基本养老金"),
        table(
            ["项目", "月金额（元）"],
            [
                ["基础养老金", format_yuan(body["basic_fen"])],
                ["个人账户养老金", format_yuan(body["account_fen"])],
                ["过渡性养老金", format_yuan(body["transitional_fen"])],
                ["合计", format_yuan(body["total_fen"])],
            ],
            [0.6, 0.4],
            right=(1,),
            bold_last=True,
        ),
        heading("三、核定信息"),
        fields(
            [
                ("核定办件编号", case["receipt_no"]),
                ("核定事项", case["item"]),
                ("核定日期", date_text(case["approved_on"])),
                ("发放机构", body["paying_agency"]),
            ]
        ),
    ]
    if body["monthly_in_force_fen"] != body["total_fen"]:
        flow.append(
            para(
                f"截至开具日，现行月基本养老金为 {format_yuan(body['monthly_in_force_fen'])} 元"
                "（含核定后的调整或重新核定）。"
            )
        )
    notes = [
        "基础养老金 =（计发基数 + 计发基数 × 平均缴费指数）÷ 2 × 缴费年限 × 1%；"
        "个人账户养老金 = 个人账户储存额 ÷ 计发月数；各部分分别四舍五入到分。",
        "本通知书为核定结果的副本，如对核定结果有异议，可依法申请行政复议或提起行政诉讼。",
    ]
    if body["provisional"]:
        notes.insert(
            1,
            "待遇起始年度的计发基数尚未公布，按最近已公布年度的计发基数暂定核定；"
            "公布后重新核定，多退少补。",
        )
    return flow, notes


KINDS: dict[str, Callable[[dict[str, Any]], Body]] = {
    "personal_certificate": personal_certificate,
    "employer_certificate": employer_certificate,
    "account_statement": account_statement,
    "bill": bill,
    "retirement_notice": retirement_notice,
}


def render_document(facts: dict[str, Any]) -> Rendered:
    """The PDF of a document from its facts (as stored: plain JSON)."""
    flow, notes = KINDS[facts["kind"]](facts)
    return pdf_build(facts, flow, notes)
