"""The scheme validator: the shipped schemes are valid; a malformed one is refused naming the file,
the line, the path and what is wrong, and nothing is loaded."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from safestar.schemes.loading import context
from safestar.schemes.models import Scheme
from safestar.schemes.validate import SchemeError, parse

ROOT = Path(__file__).resolve().parents[3]
CHANGGANG = (ROOT / "schemes" / "changgang-2023-pingan.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["changgang-2023-pingan.yaml", "suixian-2023-pingan-village.yaml"])
def test_the_shipped_schemes_are_valid_and_sum_to_100(db, name):
    spec = parse((ROOT / "schemes" / name).read_text(encoding="utf-8"), name, context())
    assert sum(i.points for i in spec.indicators()) == spec.total == 100


def test_changgang_covers_the_seed_7_categories_and_8_goals(db):
    spec = parse(CHANGGANG, "c.yaml", context())
    assert [c.title for c in spec.categories] == [
        "治安防控严密有效", "矛盾纠纷妥善化解", "欺诈诈骗防范有力", "安全事故防范到位", "非法宗教监管有力", "应急能力显著提升", "重点人员管理到位",
    ]
    assert len(spec.vetoes) == 8 and spec.pass_mark == 85


def line_of(text, needle):
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


BROKEN = [
    # (replace this, with this, expected error text, the line it names contains this)
    ("        points: 4\n        source: 技防设施台账", "        points: 5\n        source: 技防设施台账", "各指标分值之和为 101，与总分 100 不一致", "total: 100"),
    ("metric: security.camera_channels", "metric: security.camera_chanels", "未知的指标“security.camera_chanels”", "security.camera_chanels"),
    ("      - code: C1.4", "      - code: C1.3", "编号“C1.3”重复", "code: C1.3\n        title: 沿街"),
    ('op: ">=", value: 6, deduct: 1', 'op: "between", min: 6, max: 6', "阈值区间下限 6 应小于上限 6", "between"),
    ('op: ">=", value: 6, deduct: 1', 'op: "≥", value: 6', "未知的比较方式“≥”", "≥"),
    ("kinds: [telecom_fraud]}", "kinds: [telecom_fraud, phone_scam]}", "未知的案事件类别“phone_scam”", "phone_scam"),
    ("kind: case_explained", "kind: cases", "台账“publicity”没有类别“cases”", "kind: cases"),
    ("pass_mark: 85", "pass_mark: 185", "达标分数线 185 应在 0 到总分 100 之间", "pass_mark"),
    ("severities: [major]", "severities: [huge]", "未知的严重程度“huge”", "huge"),
    ("{code: V7, title: 发生重大案事件, severities: [major]}", "{code: V7, title: 发生重大案事件}", "否决事项须列出案事件类别 kinds 或严重程度 severities（至少其一）", "code: V7"),
    ("{code: V7, title: 发生重大案事件, severities: [major]}", "{code: V7, title: 发生重大案事件, kinds: []}", "否决事项须列出案事件类别 kinds 或严重程度 severities（至少其一）", "code: V7"),
    ("type: manual}\n      - code: C1.7", "type: guess}\n      - code: C1.7", "未知的评分方法“guess”", "type: guess"),
]


@pytest.mark.parametrize("old, new, message, where", BROKEN, ids=[b[2][:12] for b in BROKEN])
def test_a_malformed_scheme_is_refused_naming_the_line(db, old, new, message, where):
    assert old in CHANGGANG
    text = CHANGGANG.replace(old, new, 1)
    with pytest.raises(SchemeError) as exc:
        parse(text, "bad.yaml", context())
    matching = [e for e in exc.value.errors if message in e]
    assert matching, exc.value.errors
    expected_line = line_of(text, where.split("\n")[0]) if "\n" not in where else text[: text.index(where)].count("\n") + 1
    assert matching[0].startswith(f"bad.yaml:{expected_line}: "), (matching[0], expected_line)


def test_a_yaml_syntax_error_names_the_line(db):
    with pytest.raises(SchemeError, match=r"^bad.yaml:3: YAML 格式错误"):
        parse("name: x\nyear: 2023\n star: y\n", "bad.yaml", context())


def test_a_scheme_needs_a_pass_mark_or_bands(db):
    with pytest.raises(SchemeError, match="须给出达标分数线 pass_mark，或星级分档 bands"):
        parse(CHANGGANG.replace("pass_mark: 85\n", ""), "x.yaml", context())


def test_the_command_refuses_and_loads_nothing(tmp_path, db):
    path = tmp_path / "bad.yaml"
    path.write_text(CHANGGANG.replace("metric: security.camera_channels", "metric: nope"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("scheme", "load", str(path), stderr=err)
    assert exit.value.code == 1
    assert f"{path}:" in err.getvalue() and "未知的指标“nope”" in err.getvalue()
    assert not Scheme.objects.exists()


def test_validate_and_load_commands(db, tmp_path):
    from safestar.org.services import BUNDLED_CSV, load_divisions, read_division_csv, subtree

    load_divisions(subtree(read_division_csv(BUNDLED_CSV), "411422000000"))
    path = tmp_path / "ok.yaml"
    path.write_text(CHANGGANG, encoding="utf-8")
    out = io.StringIO()
    call_command("scheme", "validate", str(path), stdout=out)
    assert "方案有效" in out.getvalue() and "48 个指标" in out.getvalue()
    call_command("scheme", "load", str(path), stdout=out)
    assert Scheme.objects.get().version == 1
