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
    yuan,
)
from shebao.migration.synthetic.defects import (
    NotEnoughData,
)
from shebao.migration.synthetic.generate import (
    generate_city,
)
from shebao.migration.synthetic.manifest import (
    ACCOUNT_MISMATCH,
    AFTER_DEATH,
    CONSEQUENCE_ENTITIES,
    CONTRIB_DUPLICATE,
    DEFECT_KINDS,
    EMPLOYER_MISSING,
    ID_15,
    ID_BIRTH,
    ID_CHECKSUM,
    PERSON_DUPLICATE,
    PERSON_MISSING,
    REL_OVERLAP,
    RETIREE_PARTS,
    SAME_PERSON,
    USCC_INVALID,
    Defect,
    DefectKind,
    DefectRates,
    Manifest,
    defect_count,
)
from shebao.migration.synthetic.register import (
    BANKS,
    BASE_CAP_YUAN,
    BASE_FLOOR_YUAN,
    BLANK_DIVISION_SHARE,
    CODE_MARK,
    COMMA_ADDRESS_SHARE,
    FLEXIBLE_SHARE,
    GIVEN,
    PERSONS_PER_EMPLOYER,
    PROFILES,
    RETIREE_SHARE,
    SUFFIXES,
    SURNAMES,
    TRADES,
    USCC_ALPHABET,
    WAGE_MEDIAN_YUAN,
    WAGE_SIGMA,
    AccountYear,
    CityProfile,
    account_years,
    city_profile,
    credit_code,
    mismatch_years,
    open_relation,
    random_date,
    retirement_month,
)
from shebao.migration.synthetic.writing import (
    COLUMNS,
    ENCODINGS,
    ENTITIES,
    MONEY_COLUMNS,
    NEIGHBOUR_ENTITIES,
)

__all__ = [
    "ACCOUNT_MISMATCH",
    "AFTER_DEATH",
    "BANKS",
    "BASE_CAP_YUAN",
    "BASE_FLOOR_YUAN",
    "BLANK_DIVISION_SHARE",
    "CODE_MARK",
    "COLUMNS",
    "COMMA_ADDRESS_SHARE",
    "CONSEQUENCE_ENTITIES",
    "CONTRIB_DUPLICATE",
    "DEFECT_KINDS",
    "EMPLOYER_MISSING",
    "ENCODINGS",
    "ENTITIES",
    "FIRST_PERIOD",
    "FLEXIBLE_SHARE",
    "GIVEN",
    "ID_15",
    "ID_BIRTH",
    "ID_CHECKSUM",
    "LAST_PERIOD",
    "LAST_START",
    "LAST_YEAR",
    "MONEY_COLUMNS",
    "NEIGHBOUR_ENTITIES",
    "PENSION",
    "PERSONS_PER_EMPLOYER",
    "PERSON_DUPLICATE",
    "PERSON_MISSING",
    "PROFILES",
    "REL_OVERLAP",
    "RETIREE_PARTS",
    "RETIREE_SHARE",
    "SAME_PERSON",
    "SUFFIXES",
    "SURNAMES",
    "TRADES",
    "UNEMPLOYMENT",
    "USCC_ALPHABET",
    "USCC_INVALID",
    "WAGE_MEDIAN_YUAN",
    "WAGE_SIGMA",
    "WORK_INJURY",
    "AccountYear",
    "CityProfile",
    "Defect",
    "DefectKind",
    "DefectRates",
    "Manifest",
    "NotEnoughData",
    "account_years",
    "add_months",
    "city_profile",
    "contribution_amounts",
    "credit_code",
    "crediting_rate",
    "defect_count",
    "generate_city",
    "mismatch_years",
    "month_span",
    "open_relation",
    "random_date",
    "retirement_month",
    "to_fen",
    "year_months",
    "yuan",
]
