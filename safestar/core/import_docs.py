"""The part of docs/ledgers.md that says what the imports understand, generated from the
declarations (column labels and synonyms, clerk words of the choices, yes/no words, units), so the
documentation cannot drift: tests/test_docs.py compares it, `safestar import_docs --write` rewrites it."""

from pathlib import Path

from django.conf import settings

from .cells import CLERK_WORDS, DATE_FORMS, NO_WORDS, YES_WORDS
from .sheets import EXAMPLE_MARKS, FOOTER_WORDS, TOTAL_WORDS
from .templates import accepts

# Imports that are not ledgers ((heading, columns function, model)), added by their apps' panels.py:
# core lies below them and does not import them.
DOCUMENTED = []


def document(heading, columns, model):
    DOCUMENTED.append((heading, columns, model))


BEGIN = "<!-- BEGIN 导入写法（由声明生成：safestar import_docs --write；请勿手改） -->"
END = "<!-- END 导入写法 -->"


def docs_path():
    return Path(settings.BASE_DIR).parent / "docs" / "ledgers.md"


def _values(column, field):
    if column.kind != "choice" or field is None:
        return accepts(column)
    words = CLERK_WORDS.get(frozenset(str(v) for v, _ in field.flatchoices), {})
    parts = []
    for value, label in field.flatchoices:
        also = [w for w, v in words.items() if v == str(value)]
        parts.append(f"{label}（{'、'.join(also)}）" if also else str(label))
    return "、".join(parts)


def _table(columns, model):
    lines = ["| 列 | 也认的列名 | 可填的值 |", "|---|---|---|"]
    for column in columns:
        if column.key in ("id", "division", "division_name"):
            continue
        try:
            field = model._meta.get_field(column.key) if model else None
        except Exception:
            field = None
        required = "（必填）" if column.required else ""
        lines.append(f"| {column.label}{required} | {'、'.join(column.synonyms) or '—'} | {_values(column, field).replace('|', '／')} |")
    return lines


def render():
    from .ledger import LEDGERS, VILLAGE_COLUMNS

    lines = [BEGIN, "", "## 导入时认得的列名和写法", "",
             "以下各表由代码中的声明生成（列名的别名写在各台账的 `synonyms`，选项的常用说法写在选项旁的 `clerk_words`），"
             "与系统实际认得的写法一致。", "",
             "### 所有导入通用", "",
             f"- 村：{'、'.join(c.label for c in VILLAGE_COLUMNS[1:])}，也认列名 {'、'.join(VILLAGE_COLUMNS[2].synonyms)}；"
             "可填村名（“长岗村”“长岗”“长岗村委会”）或 12 位代码。没有村列时：村干部、网格员的行属于本村；否则看工作表名、"
             "标题行里的村名，再不然在页面上选择。重名或不认识的村名报错并引用原文。",
             f"- 系统编号：列名“{VILLAGE_COLUMNS[0].label}”（也认 {'、'.join(VILLAGE_COLUMNS[0].synonyms)}），只在本系统导出的文件中有；"
             "只修改本行所属村、且在您管辖范围内的记录，修改前逐条列出原值和新值，另行勾选确认。“序号”“编号”列不读取。",
             f"- 是/否：认作“是”的有 {'、'.join(YES_WORDS)}；认作“否”的有 {'、'.join(NO_WORDS)}；其他写法报错并引用原文。"
             "空着的格取该栏的默认值。",
             f"- 日期：{DATE_FORMS}、20230506、全角数字、Excel 日期格式或“常规”格式下的日期序号（如 45052）；"
             "只到月份的写法（2023.10、2023年10月）只用于按月填写的栏目。",
             "- 数字：可带该栏的单位（如“约200人”“10台”“500条”，单位见下表），单位不对报错并引用原文。",
             f"- 不是记录的行跳过并在各工作表的情况中列出：合计行（{'、'.join(TOTAL_WORDS)}）、表尾（{'、'.join(FOOTER_WORDS)}）、"
             f"分段标题行（如“一季度”“上半年”）、模板的示例行（序号列写“{EXAMPLE_MARKS[0]}”）和空行。",
             ""]
    for slug, ledger in sorted(LEDGERS.items()):
        lines += [f"### {ledger.title} `{slug}`", "", *_table(ledger.columns(), ledger.model), ""]
    for heading, columns, model in DOCUMENTED:
        lines += [f"### {heading}", "", *_table(columns(), model), ""]
    lines.append(END)
    return "\n".join(lines) + "\n"


def current():
    text = docs_path().read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return None
    return text[text.index(BEGIN): text.index(END) + len(END)] + "\n"


def write():
    path = docs_path()
    text = path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + render() + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n---\n\n" + render()
    path.write_text(text, encoding="utf-8")
