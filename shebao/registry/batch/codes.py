"""Rule codes of the batch import: refusals of a whole file and errors of single rows.

A file-level refusal stops the import before anything is read; a row error marks one cell
of one row and the other rows go on. Rules of the relations themselves (duplicate active
pension, start period too late, past retirement) keep their ``REG-REL-*`` codes from
``shebao.registry.rules`` so that a counter addition and a batch row say the same thing.
"""

from __future__ import annotations

from shebao.core.errors import register_rule

_TEMPLATE_HINT_ZH = "请使用下载的模板填写。"
_TEMPLATE_HINT_EN = "Please fill in the downloaded template."

# Refusals of the whole file.
register_rule(
    "BATCH-NOT-XLSX",
    "文件不是 Excel 工作簿（.xlsx），或文件已损坏：请在 Excel 或 WPS 中另存为“Excel 工作簿"
    "(*.xlsx)”后重新上传（不接受 .xls、.csv 及设置了打开密码的文件）。",
    "The file is not an Excel workbook (.xlsx) or is damaged: save it as 'Excel Workbook "
    "(*.xlsx)' and upload it again (.xls, .csv and password-protected files are not accepted).",
)
register_rule(
    "BATCH-TOO-LARGE",
    "文件大小为{size}，超过上限{limit}；请拆分为多个文件分批提交。",
    "The file is {size}, more than the limit of {limit}; please split it into several files.",
)
register_rule(
    "BATCH-TOO-LARGE-UNPACKED",
    "文件解压后为{size}，超过上限{limit}；请删除图片等与导入无关的内容后重新上传。",
    "The file unpacks to {size}, more than the limit of {limit}; please remove pictures and "
    "other content the import does not need.",
)
register_rule(
    "BATCH-TOO-MANY-ROWS",
    "数据超过{limit}行（第{row}行超出）；请拆分为多个文件分批提交。",
    "The file has more than {limit} data rows (row {row} is over the limit); please split it "
    "into several files.",
)
register_rule(
    "BATCH-FORMULA",
    "单元格{cell}含有公式；请将公式转换为数值（复制后“选择性粘贴—数值”）后重新上传。",
    "Cell {cell} contains a formula; replace formulas by their values (copy, then paste "
    "special → values) and upload again.",
)
register_rule(
    "BATCH-MERGED",
    "单元格区域{range}为合并单元格；请取消合并并逐行填写完整后重新上传。",
    "Cells {range} are merged; unmerge them, fill in every row and upload again.",
)
register_rule(
    "BATCH-COLUMNS-MISSING",
    "工作表“{sheet}”的第1行缺少必需的列：{columns}。" + _TEMPLATE_HINT_ZH,
    "Row 1 of sheet '{sheet}' lacks the required columns: {columns}. " + _TEMPLATE_HINT_EN,
)
register_rule(
    "BATCH-COLUMNS-DUPLICATE",
    "工作表“{sheet}”的第1行中“{column}”列出现了不止一次。" + _TEMPLATE_HINT_ZH,
    "Row 1 of sheet '{sheet}' has the column '{column}' more than once. " + _TEMPLATE_HINT_EN,
)
register_rule(
    "BATCH-EMPTY",
    "工作表“{sheet}”中没有数据行（第1行为表头，数据从第2行开始）。",
    "Sheet '{sheet}' has no data rows (row 1 is the header; data starts in row 2).",
)

# Errors of one cell of one row.
register_rule(
    "BATCH-CELL-REQUIRED",
    "“{column}”不能为空。",
    "'{column_en}' is required.",
)
register_rule(
    "BATCH-ID-NUMERIC",
    "公民身份号码被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新录入。",
    "Excel stored the resident ID as a number and lost its last digits; format the column "
    "as text and enter the ID again.",
    "GB 11643-1999",
)
register_rule(
    "BATCH-NAME-INVALID",
    "姓名“{value}”不符合要求：不能含数字，且不超过{limit}个字。",
    "The name '{value}' is not valid: no digits and at most {limit} characters.",
)
register_rule(
    "BATCH-SCHEME-UNKNOWN",
    "参保险种“{value}”无法识别：应为养老、失业、工伤中的一项或多项，用顿号或逗号分隔。",
    "Unknown scheme '{value}': give one or more of 养老 (pension), 失业 (unemployment) and "
    "工伤 (work injury), separated by 、 or commas.",
)
register_rule(
    "BATCH-REASON-UNKNOWN",
    "“{column}”的值“{value}”不在可选范围内（{choices}）。",
    "'{value}' is not a valid {column_en} (choose one of {choices}).",
)
register_rule(
    "BATCH-YES-NO",
    "“{column}”应填“是”或“否”，实际为“{value}”。",
    "'{column_en}' must be 是 (yes) or 否 (no), got '{value}'.",
)
register_rule(
    "BATCH-HUKOU-UNKNOWN",
    "户籍类型应为“城镇”或“农村”，实际为“{value}”。",
    "The household registration must be 城镇 (urban) or 农村 (rural), got '{value}'.",
)
register_rule(
    "BATCH-ETHNICITY-UNKNOWN",
    "民族“{value}”不是国家标准中的民族名称（如“汉族”）。",
    "'{value}' is not an ethnic group of the national standard (e.g. 汉族).",
    "GB/T 3304-1991",
)
register_rule(
    "BATCH-PHONE-INVALID",
    "手机号码“{value}”不是11位手机号。",
    "'{value}' is not an 11-digit mobile number.",
)
register_rule(
    "BATCH-ROW-DUPLICATE",
    "与第{first_row}行的公民身份号码相同：同一人在一个文件中只能出现一次。",
    "Same resident ID as row {first_row}: a person may appear only once in a file.",
)
register_rule(
    "BATCH-ALREADY-INSURED",
    "该人员已在本单位参加企业职工基本养老保险，无需重复增加。",
    "This person already holds an active pension relation with this employer.",
)
register_rule(
    "BATCH-NAME-MISMATCH",
    "姓名“{name}”与全省登记的姓名（{registered}）不一致；请核对公民身份号码和姓名。",
    "The name '{name}' differs from the registered name ({registered}); please check the "
    "resident ID and the name.",
)
register_rule(
    "BATCH-NOT-INSURED-HERE",
    "该人员在本单位没有有效的参保关系，不能办理减少。",
    "This person has no active relation with this employer to end.",
)
