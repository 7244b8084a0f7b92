"""The import template of any importer: the columns as a clerk fills them, with a 序号 column, one
example row (grey, ignored on import), drop-down lists for every choice and yes/no column, date
cells formatted as dates, and a second sheet 填写说明 that lists each column, whether it is
required, what it accepts and an example."""

import datetime
import io

import xlsxwriter

from .cells import DATE_FORMS, NO_WORDS, YES_WORDS

DATA_ROWS = 1000  # rows prepared with formats and drop-downs under the example
FIRST = 4  # the example row is row 4 (index 3); data from row 5


def accepts(column):
    """What a column accepts, in words (the 填写说明 sheet and docs)."""
    if column.kind == "date":
        return f"日期，如 {DATE_FORMS}"
    if column.kind == "bool":
        return "是 或 否（也认：√/×、有/无、在用/停用、正常/损坏、已接入/未接入等）"
    if column.kind == "choice":
        return "从下拉列表选择：" + "、".join(column.options)
    if column.kind == "number":
        return "数字" + (f"，可带单位（{column.help}）" if column.help else "")
    return column.help or "文字"


def import_template(importer):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    title_fmt = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    info_fmt = book.add_format({"font_size": 10, "font_name": "宋体"})
    head_fmt = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                                "bg_color": "#D9E1F2", "font_name": "宋体"})
    example_fmt = book.add_format({"border": 1, "italic": True, "font_color": "#7F7F7F", "bg_color": "#F2F2F2", "font_name": "宋体"})
    example_date = book.add_format({"border": 1, "italic": True, "font_color": "#7F7F7F", "bg_color": "#F2F2F2",
                                    "num_format": "yyyy-mm-dd", "font_name": "宋体"})
    cell_fmt = book.add_format({"border": 1, "font_name": "宋体"})
    date_fmt = book.add_format({"border": 1, "num_format": "yyyy-mm-dd", "font_name": "宋体"})
    columns = [c for c in importer.columns if c.key != "id"]  # new rows have no 系统编号
    sheet.set_column(0, 0, 6)
    for i, column in enumerate(columns, start=1):
        sheet.set_column(i, i, column.width, date_fmt if column.kind == "date" else cell_fmt)
    sheet.merge_range(0, 0, 0, len(columns), f"{importer.title}", title_fmt)
    required = "、".join(c.label for c in columns if c.required)
    sheet.write_string(1, 0, f"填报单位：　　　　填报日期：　　　　（带 * 的为必填列：{required}；灰色的第 4 行是示例，导入时不读取，可以删除。"
                             "填写方法见“填写说明”工作表）", info_fmt)
    sheet.write_string(2, 0, "序号", head_fmt)
    sheet.write_string(3, 0, "示例", example_fmt)
    options = None
    for i, column in enumerate(columns, start=1):
        sheet.write_string(2, i, column.label + (" *" if column.required else ""), head_fmt)
        value = column.example
        if isinstance(value, datetime.date):
            sheet.write_datetime(3, i, datetime.datetime.combine(value, datetime.time()), example_date)
        elif isinstance(value, bool):
            sheet.write_string(3, i, "是" if value else "否", example_fmt)
        elif isinstance(value, (int, float)):
            sheet.write_number(3, i, value, example_fmt)
        else:
            sheet.write_string(3, i, str(value or ""), example_fmt)
        choices = ("是", "否") if column.kind == "bool" else column.options if column.kind == "choice" else ()
        if not choices:
            if column.kind == "date":
                sheet.data_validation(FIRST, i, FIRST + DATA_ROWS, i, {
                    "validate": "date", "criteria": "between", "minimum": datetime.date(1949, 10, 1),
                    "maximum": datetime.date(2100, 12, 31), "error_type": "warning",
                    "input_title": column.label, "input_message": "填日期，如 2023-05-06",
                    "error_message": f"请填日期，如 {DATE_FORMS}"})
            continue
        rule = {"validate": "list", "error_title": column.label, "error_message": "请从下拉列表中选择",
                "input_title": column.label, "input_message": "从下拉列表选择"}
        if len(",".join(choices)) <= 250:
            rule["source"] = list(choices)
        else:  # longer lists live on a sheet of options
            if options is None:
                options = book.add_worksheet("选项")
                options.hide()
            options.write_column(0, i, choices)
            letter = xlsxwriter.utility.xl_col_to_name(i)
            rule["source"] = f"=选项!${letter}$1:${letter}${len(choices)}"
        sheet.data_validation(FIRST, i, FIRST + DATA_ROWS, i, rule)
    sheet.freeze_panes(3, 1)
    _notes(book, importer, columns, head_fmt, cell_fmt, title_fmt)
    book.close()
    return buffer.getvalue()


def _notes(book, importer, columns, head_fmt, cell_fmt, title_fmt):
    notes = book.add_worksheet("填写说明")
    wrap = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "宋体"})
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 60)
    notes.set_column(3, 3, 24)
    notes.merge_range(0, 0, 0, 3, f"{importer.title}导入模板填写说明", title_fmt)
    for c, text in enumerate(("列名", "是否必填", "填写要求 / 可选值", "示例")):
        notes.write_string(1, c, text, head_fmt)
    for r, column in enumerate(columns, start=2):
        example = column.example
        if isinstance(example, bool):
            example = "是" if example else "否"
        elif isinstance(example, datetime.date):
            example = example.isoformat()
        also = f"（也认列名：{'、'.join(column.synonyms)}）" if column.synonyms else ""
        notes.write_string(r, 0, column.label, wrap)
        notes.write_string(r, 1, "必填" if column.required else "可空", wrap)
        notes.write_string(r, 2, accepts(column) + also, wrap)
        notes.write_string(r, 3, str(example if example is not None else ""), wrap)
    r = len(columns) + 3
    general = [
        "序号列只为方便核对，导入时不读取；灰色的示例行不读取。",
        "可以导入本系统的模板和导出文件，也可以导入自己的台账（.xlsx、.xls、.ods）：标题行、两行表头、合计行、填表人/审核人等表尾、"
        "“一季度”这样的分段标题行和空行都会被识别并跳过；工作簿里的每个工作表都会读取（一个村一个工作表也可以）。",
        "村：可填村名（如“长岗村”）或 12 位村级区划代码；村干部、网格员导入的行默认是本村；也可用工作表名或标题里的村名。",
        f"日期：{DATE_FORMS}，或 Excel 的日期格式。",
        f"是/否：是、否；也认 {'、'.join(YES_WORDS[:12])} 等（是）和 {'、'.join(NO_WORDS[:12])} 等（否）。",
        "系统编号（勿改）：只在本系统导出的文件中出现，用来修改已有记录；新记录留空，请勿填写序号。",
        "检查时发现任何一行有错，整个文件都不导入，并列出每处错误所在的工作表、行号、列名和填写的值。",
    ]
    for text in general:
        notes.merge_range(r, 0, r, 3, text, wrap)
        notes.set_row(r, 32)
        r += 1
