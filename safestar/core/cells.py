"""A spreadsheet cell as a field's value: plain functions, no database, the same for every import.

Clerks write 在用, √, 已接入 for yes; 2023.5.6, 2023年5月6日 or an Excel serial for a date; 约200人
for a number; 调解成功 for 已化解. Each function here takes one cell (whatever type the reader gave:
text, number, bool, date, datetime) and returns the value the row form takes, or raises CellError
with a Chinese message that quotes the cell and says what is accepted. Nothing is guessed: an
unknown word is refused.

The yes/no words are declared once here (YES_WORDS / NO_WORDS). The words a choice field accepts
besides its labels are declared once beside the choices, with `clerk_words(Choices, {...})` in the
app's models.py; the ledger docs (docs/ledgers.md) are generated from the same declarations.
"""

import datetime
import decimal
import re
import unicodedata

YES_WORDS = ("是", "有", "√", "✓", "✔", "☑", "已", "在用", "正常", "完好", "已接入", "已联网", "已登记", "已落实",
             "在岗", "在聘", "在队", "已参加", "已培训", "启用", "对", "Y", "YES", "TRUE", "1")
NO_WORDS = ("否", "无", "×", "✗", "✘", "☒", "未", "停用", "损坏", "故障", "未接入", "未联网", "未登记", "未落实",
            "不在岗", "离岗", "解聘", "离队", "未参加", "未培训", "没有", "N", "NO", "FALSE", "0")
_YES = {w.upper() for w in YES_WORDS}
_NO = {w.upper() for w in NO_WORDS}

# The words of a choice field besides its labels: {frozenset of the choice values: {word: value}}.
CLERK_WORDS = {}

APPROX = ("约", "大约", "近")  # 约200人 is read as 200
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CellError(Exception):
    """A cell that cannot be read as the field's value (the message quotes it)."""


def clerk_words(choices, words):
    """Declare, beside a TextChoices class, the words clerks write for its members:
    clerk_words(DisputeStage, {DisputeStage.RESOLVED: ("调解成功", "化解成功")})."""
    key = frozenset(c.value for c in choices)
    table = CLERK_WORDS.setdefault(key, {})
    for member, synonyms in words.items():
        for word in synonyms:
            table[normalise(word)] = member.value
    return choices


def normalise(text):
    """Full-width to half-width (NFKC), no spaces or line breaks anywhere."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())  # split(): the same whitespace as \\s


def shown(value):
    """A cell as the message quotes it."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def to_text(value):
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (datetime.time, datetime.timedelta)):
        raise CellError(f"“{shown(value)}”是时间，这一列应填文字")
    text = str(value).strip()
    if CONTROL.search(text):
        raise CellError("含有不可见的控制字符，请删除后重新输入")
    return text


def to_bool(value):
    """是/否 and the usual words for them; an unknown word is refused, quoting it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = normalise(value).upper() if isinstance(value, str) else None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(f"“{shown(value)}”不是是/否：请填“是”或“否”（也认：√/×、有/无、在用/停用、正常/损坏、已接入/未接入等）")


DATE_FORMS = "2023-05-06、2023/5/6、2023.5.6、2023年5月6日"
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:份)?$")


def to_date(value, month=False):
    """A date from a date cell, an Excel serial in a General cell, or text in the usual forms;
    `month`: the field is a month, so 2023.10 and 2023年10月 give the first day of that month."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if type(value) is str and _ISO.fullmatch(value):
        try:  # 2023-05-06 as it is (what the general reading below gives for it, without its steps)
            return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            pass  # not digits, or no such day: read below, with its message
    expected = "2023.10、2023年10月" if month else DATE_FORMS
    if isinstance(value, bool) or isinstance(value, (datetime.time, datetime.timedelta)):
        raise CellError(f"“{shown(value)}”不是日期，请按 {expected} 这样的格式填写")
    if isinstance(value, (int, float)):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(f"“{shown(value)}”不是日期，请按 {expected} 这样的格式填写")
    text = re.sub(r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2})?)$", "", unicodedata.normalize("NFKC", str(value)).strip())  # a time after the date
    text = normalise(text)
    for pattern in (_DATE, _COMPACT):
        if match := pattern.match(text):
            year, mon, day = (int(g) for g in match.groups())
            try:
                return datetime.date(year, mon, day)
            except ValueError:
                raise CellError(f"“{shown(value)}”不是有效的日期（没有这一天），请按 {DATE_FORMS} 这样的格式填写") from None
    if match := _MONTH.match(text):
        year, mon = (int(g) for g in match.groups())
        if month and 1 <= mon <= 12:
            return datetime.date(year, mon, 1)
        if not month:
            raise CellError(f"“{shown(value)}”只到月份，这一列须填到日，如 {DATE_FORMS}")
    if text.isdigit() and len(text) <= 7:
        return to_date(int(text), month)  # a serial typed as text
    raise CellError(f"“{shown(value)}”不是日期，请按 {expected} 这样的格式填写")


def to_number(value, *, units=(), integer=True):
    """A number, possibly written with its unit (10台, 约200人) when the unit is one of `units`."""
    if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        raise CellError(f"“{shown(value)}”不是数字")
    if isinstance(value, (int, float)):
        number = decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)
    else:
        text = normalise(value).replace(",", "")
        for prefix in APPROX:
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        match = re.match(r"^([+-]?\d+(?:\.\d+)?)(.*)$", text)
        if not match:
            raise CellError(f"“{shown(value)}”不是数字" + (f"（可以带单位：{'、'.join(units)}）" if units else ""))
        digits, unit = match.groups()
        if unit and unit not in units:
            allowed = f"这一列的单位是{'、'.join(units)}" if units else "这一列只填数字"
            raise CellError(f"“{shown(value)}”的单位“{unit}”不对：{allowed}")
        number = decimal.Decimal(digits)
    if not number.is_finite():
        raise CellError(f"“{shown(value)}”不是数字")
    if integer:
        if number != number.to_integral_value():
            raise CellError(f"“{shown(value)}”不是整数")
        if abs(number) > 2_000_000_000:
            raise CellError(f"“{shown(value)}”超出了可以填写的范围")
        return int(number)
    if abs(number) >= 10**12:
        raise CellError(f"“{shown(value)}”超出了可以填写的范围")
    return str(number)


def to_choice(value, choices, label=""):
    """A choice from its label, its stored value, or a word declared with `clerk_words`; an unknown
    word is refused, listing the options."""
    options = [(str(v), str(text)) for v, text in choices]
    values = {v for v, _ in options}
    key = normalise(to_text(value))
    for v, text in options:
        if key in (normalise(text), v):
            return v
    words = CLERK_WORDS.get(frozenset(values), {})
    if key in words:
        return words[key]
    allowed = "、".join(text for _, text in options)
    raise CellError(f"“{shown(value)}”不是可选的{label}，可选：{allowed}")


def unit_words(verbose_name):
    """The unit a field's name states in brackets: 覆盖人数（人次） → ("人次",)."""
    match = re.search(r"[（(]([^）)]+)[）)]$", str(verbose_name))
    if match and len(match.group(1)) <= 3:
        return (match.group(1),)
    return ()
