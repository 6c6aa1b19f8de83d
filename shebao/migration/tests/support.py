"""A small hand-written delivery with one finding of each kind a clerk sees, and the run that
migrates it: for the tests of the pages and the worklist (the generator's larger deliveries
test the rules at their rates)."""

from __future__ import annotations

from pathlib import Path

from stdnum.cn import uscc

from shebao.core.actors import system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency, BatchRun
from shebao.migration.services import migration_run_create, migration_run_execute


def _code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


GOOD_CODE = _code("91420300MA4K00001")
BAD_CODE = _code("91420300MA4K00002")[:-1] + "0"
P1 = resident_id_with_check("42030219800101001")  # 王一
P4 = resident_id_with_check("42030319800101003")  # 王一 again, under another ID
P5 = resident_id_with_check("42030319900505005")  # 赵五, twice with two names
WRONG_CHECK = P1[:-1] + ("0" if P1[-1] != "0" else "1")

FILES = {
    "employers.csv": f"""legacy_id,credit_code,name,division_code,risk_class,status
E1,{GOOD_CODE},十堰示例一厂,420302,2,active
E2,{BAD_CODE},十堰示例二厂,420303,3,active
""",
    "persons.csv": f"""legacy_id,resident_id,name,sex,birth_date,phone,address,died_on
P1,{P1},王一,男,1980-01-01,13900000001,十堰市茅箭区北京路1号,
P2,420302850202002,李二,女,1985-02-03,13900000002,十堰市茅箭区北京路2号,
P3,{WRONG_CHECK},错三,男,1980-01-01,,,
P4,{P4},王一,男,1980-01-01,13900000001,十堰市张湾区车城路4号,
P5,{P5},赵五,男,1990-05-05,13900000005,,
P6,{P5},赵武,男,1990-05-05,13900000005,,
""",
    "relations.csv": """legacy_id,person_id,scheme,employer_id,start_period,end_period,status
R1,P1,110,E1,202301,,active
R2,P2,110,E1,202301,,active
R3,P2,110,E1,202306,202312,ended
R4,P3,110,E1,202301,,active
R5,P1,210,E2,202301,,active
""",
    "contributions.csv": "person_id,scheme,period,employer_id,base,employer_amount,"
    "individual_amount,account_credit\n"
    + "".join(f"P1,110,2024{m:02d},E1,5000.00,800.00,400.00,400.00\n" for m in range(1, 13))
    + "P1,110,202412,E1,5000.00,800.00,400.00,400.00\n"
    + "P3,110,202401,E1,5000.00,800.00,400.00,400.00\n",
    "accounts.csv": """person_id,year,opening,credits,interest,closing
P1,2024,1000.00,4800.00,10.00,5810.00
""",
    "retirees.csv": "person_id,group,retirement_month,monthly_pension,basic_pension,"
    "account_pension,transitional_pension,contribution_months,paid_through,bank_name,"
    "bank_account\nP2,female-50,202401,3000.00,1500.00,1000.00,500.00,300,202512,"
    "中国工商银行十堰分行,6222000000000000000\n",
}


def write_small_delivery(directory: Path, encoding: str = "utf-8") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (directory / name).write_bytes(text.encode(encoding))
    return directory


def migrate(directory: Path, city_code: str = "420300") -> BatchRun:
    actor = system_actor("migrate_legacy")
    city = Agency.objects.get(code=city_code)
    run = migration_run_create(actor=actor, city=city, directory=directory)
    return migration_run_execute(run, actor=actor)
