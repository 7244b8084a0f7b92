"""Reading a scheme from YAML and checking it, with every error naming the file, line, path and
what is wrong, in Chinese. Plain Python: what exists (metrics, ledgers, incident kinds, divisions)
is passed in as a Context, so the validator never touches the database.

The format is documented in docs/schemes.md.
"""

from dataclasses import dataclass, field

import yaml

from .kinds import KINDS
from .spec import Band, Category, Indicator, Spec, Veto
from safestar.core.numbers import figure

EPSILON = 1e-9


@dataclass
class Context:
    metrics: set = field(default_factory=set)
    registers: dict = field(default_factory=dict)  # name → label: registers that may be empty (零报告)
    ledgers: dict = field(default_factory=dict)  # slug → set of kind values (empty: no kind field)
    incident_kinds: set = field(default_factory=set)
    severities: set = field(default_factory=set)
    divisions: set = field(default_factory=set)  # codes that may issue a scheme
    sources: tuple = ()  # the names a 数据来源 may take: the 台账 menu's (one name per ledger); empty: not checked


class SchemeError(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


# libyaml's parser (PyYAML's wheels include it) reads a scheme about five times faster than PyYAML's own
# (8 against 47 ms for the shipped one), with the same values and line numbers; its error messages
# are worded a little differently.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(text):
    """The YAML as Python values, and {path: line number} of every node in it."""
    lines = {}

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                walk(value_node, path + (key_node.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    if node is not None:
        walk(node, ())
    return data, lines


class Checker:
    """Collects the errors of one file; rule kinds read their parameters through get() and report with error()."""

    def __init__(self, filename, lines, context):
        self.filename, self.lines, self.context = filename, lines, context
        self.errors = []

    def error(self, path, message):
        line = self.lines.get(path) or next((self.lines[path[:i]] for i in range(len(path), -1, -1) if path[:i] in self.lines), 0)
        where = ".".join(str(p) for p in path) or "（文件）"
        self.errors.append(f"{self.filename}:{line}: {where}：{message}")

    def get(self, data, key, path, kind, required=True, default=None):
        """data[key] checked to be of `kind` (str, number, int, list, dict, bool)."""
        if not isinstance(data, dict) or key not in data or data[key] is None:
            if required:
                self.error(path, f"缺少必填项“{key}”")
            return default
        value = data[key]
        checks = {
            "str": lambda v: isinstance(v, str) and v.strip() != "",
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "list": lambda v: isinstance(v, list),
            "dict": lambda v: isinstance(v, dict),
        }
        names = {"str": "非空文字", "number": "数字", "int": "整数", "list": "列表", "dict": "映射（键: 值）"}
        if not checks[kind](value):
            self.error(path + (key,), f"应为{names[kind]}，实际为“{value}”")
            return default
        return value.strip() if kind == "str" else value

    def incident_kinds(self, data, path, severity_only=False):
        """(kinds, severities) of a zero-incident rule or a veto, each checked to exist. A veto
        (`severity_only`) may leave out the kinds when it lists severities: "any recognised incident
        of severity 重大", whatever its kind, including kinds an administrator adds later."""
        severities = self.get(data, "severities", path, "list", required=False, default=[])
        for i, severity in enumerate(severities):
            if severity not in self.context.severities:
                self.error(path + ("severities", i), f"未知的严重程度“{severity}”，可用：{'、'.join(sorted(self.context.severities))}")
        kinds_optional = severity_only and bool(severities)
        kinds = self.get(data, "kinds", path, "list", required=not severity_only, default=[])
        if not kinds and not kinds_optional:
            if severity_only:
                self.error(path, "否决事项须列出案事件类别 kinds 或严重程度 severities（至少其一）")
            elif "kinds" in (data or {}):
                self.error(path + ("kinds",), "至少要列出一种案事件类别")
        for i, kind in enumerate(kinds):
            if kind not in self.context.incident_kinds:
                self.error(path + ("kinds", i), f"未知的案事件类别“{kind}”")
        return tuple(kinds), tuple(severities)


def parse(text, filename="<方案>", context=None):
    """The Spec in `text`, or SchemeError listing every problem found."""
    context = context or Context()
    try:
        data, lines = _load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise SchemeError([f"{filename}:{line}: YAML 格式错误：{getattr(exc, 'problem', exc)}"])
    c = Checker(filename, lines, context)
    if not isinstance(data, dict):
        c.error((), "方案文件的顶层应为映射（名称、年度、类别……）")
        raise SchemeError(c.errors)
    spec = _spec(c, data)
    if c.errors:
        raise SchemeError(c.errors)
    return spec


def _spec(c, data):
    name = c.get(data, "name", (), "str")
    star = c.get(data, "star", (), "str")
    year = c.get(data, "year", (), "int")
    if year is not None and not 2000 <= year <= 2100:
        c.error(("year",), f"年度“{year}”不合理")
    issuer = str(c.get(data, "issuer", (), "str", default="") or "")
    if issuer and c.context.divisions and issuer not in c.context.divisions:
        c.error(("issuer",), f"发布单位区划代码 {issuer} 不存在")
    total = c.get(data, "total", (), "number", default=100)
    pass_mark = c.get(data, "pass_mark", (), "number", required=False)
    bands = _bands(c, data, total)
    if pass_mark is None and not bands:
        c.error((), "须给出达标分数线 pass_mark，或星级分档 bands")
    if pass_mark is not None and not 0 <= pass_mark <= total:
        c.error(("pass_mark",), f"达标分数线 {pass_mark} 应在 0 到总分 {total} 之间")
    categories = _categories(c, data, total)
    vetoes = _vetoes(c, data)
    return Spec(
        name=name or "", star=star or "", year=year or 0, issuer=issuer, total=total, pass_mark=pass_mark,
        bands=bands, categories=categories, vetoes=vetoes, description=str(data.get("description") or ""),
    )


def _bands(c, data, total):
    raw = c.get(data, "bands", (), "list", required=False, default=[])
    bands = []
    for i, item in enumerate(raw):
        path = ("bands", i)
        name, low = c.get(item, "name", path, "str"), c.get(item, "min", path, "number")
        if name is None or low is None:
            continue
        if not 0 <= low <= total:
            c.error(path + ("min",), f"分档下限 {low} 应在 0 到总分 {total} 之间")
        if bands and low >= bands[-1].min:
            c.error(path + ("min",), f"分档须按分数从高到低排列：{low} 不低于上一档的 {bands[-1].min}")
        bands.append(Band(name, low))
    return tuple(bands)


def _categories(c, data, total):
    raw = c.get(data, "categories", (), "list", default=[])
    if not raw:
        c.error(("categories",), "至少要有一个类别")
    seen = {}
    categories = []
    for ci, cat in enumerate(raw):
        path = ("categories", ci)
        code, title = c.get(cat, "code", path, "str"), c.get(cat, "title", path, "str")
        _unique(c, seen, code, path + ("code",))
        indicators = []
        for ii, ind in enumerate(c.get(cat, "indicators", path, "list", default=[])):
            indicator = _indicator(c, ind, path + ("indicators", ii), seen)
            if indicator:
                indicators.append(indicator)
        if not indicators:
            c.error(path + ("indicators",), "类别下至少要有一个指标")
        declared = c.get(cat, "points", path, "number", required=False)
        summed = sum(i.points for i in indicators)
        if declared is not None and abs(declared - summed) > EPSILON:
            c.error(path + ("points",), f"类别分值 {figure(declared)} 与其指标分值之和 {figure(summed)} 不一致")
        categories.append(Category(code or "", title or "", tuple(indicators)))
    summed = sum(cat.points for cat in categories)
    if raw and abs(summed - total) > EPSILON:
        c.error(("total",), f"各指标分值之和为 {figure(summed)}，与总分 {figure(total)} 不一致")
    return tuple(categories)


def _unique(c, seen, code, path):
    if code is None:
        return
    if code in seen:
        c.error(path, f"编号“{code}”重复（第一次出现在第{seen[code]}行）")
    else:
        seen[code] = c.lines.get(path, 0)


def _indicator(c, data, path, seen):
    code, title = c.get(data, "code", path, "str"), c.get(data, "title", path, "str")
    _unique(c, seen, code, path + ("code",))
    points = c.get(data, "points", path, "number")
    if points is not None and points <= 0:
        c.error(path + ("points",), f"分值应大于0，实际为 {points}")
    rule = _rule(c, c.get(data, "rule", path, "dict", default={}), path + ("rule",), points or 0)
    source = str(data.get("source") or "")
    if source and c.context.sources and source not in c.context.sources:
        c.error(path + ("source",), f"数据来源“{source}”不是系统中的台账名称（与“台账”菜单一致），可用：{'、'.join(c.context.sources)}")
    if None in (code, title, points, rule):
        return None
    return Indicator(
        code=code, title=title, points=points, rule=rule,
        source=source, department=str(data.get("department") or ""), note=str(data.get("note") or ""),
    )


def _rule(c, data, path, points):
    kind = c.get(data, "type", path, "str")
    if kind is None:
        return None
    if kind not in KINDS:
        c.error(path + ("type",), f"未知的评分方法“{kind}”，可用：{'、'.join(KINDS)}")
        return None
    deduct = c.get(data, "deduct", path, "number", required=False)
    if deduct is not None and deduct <= 0:
        c.error(path + ("deduct",), f"每单位扣分应大于0，实际为 {deduct}")
    return KINDS[kind].parse(c, data, path, deduct)


def _vetoes(c, data):
    vetoes = []
    seen = {}
    for vi, item in enumerate(c.get(data, "vetoes", (), "list", required=False, default=[])):
        path = ("vetoes", vi)
        code, title = c.get(item, "code", path, "str"), c.get(item, "title", path, "str")
        _unique(c, seen, code, path + ("code",))
        kinds, severities = c.incident_kinds(item, path, severity_only=True)
        if code and title:
            vetoes.append(Veto(code, title, kinds, severities))
    return tuple(vetoes)
