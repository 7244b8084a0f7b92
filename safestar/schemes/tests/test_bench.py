"""`safestar bench`: the generator and the timing run, at a tiny scale. It is only checked that they
complete and report; speed is measured by the benchmark itself (docs/benchmarks.md), never here."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safestar.org.models import Division


def _bench(*args):
    out = StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_generate_and_evaluate_tiny():
    output = _bench("generate", "--towns", "2", "--villages-per-town", "3")
    villages = Division.objects.filter(level="village")
    assert villages.count() == 6
    assert Division.objects.filter(level="town").count() == 2586  # the whole Henan tree is loaded
    generated = json.loads(output.strip().splitlines()[-1])
    assert generated["villages"] == 6 and generated["records"] > 6 * 50
    assert generated["rows"]["security.SecurityProfile"] == 6
    first = villages.order_by("code").first()
    assert first.code.endswith("201") and first.path.endswith(f"/{first.code}/")

    output = _bench("evaluate", "--repeat", "1")
    report = json.loads(output.strip().splitlines()[-1])
    assert report["villages"] == 6
    assert report["bare_median_s"] > 0 and report["full_median_s"] > 0
    assert report["ratio"] > 0 and isinstance(report["target_met"], bool)
    assert report["same_sql_as_gather"] is True
    assert report["bare_queries"] > 0 and report["full_queries"] > report["bare_queries"]
    assert "完整评查 / 裸聚合" in output


@pytest.mark.django_db
def test_generate_refuses_existing_data():
    _bench("generate", "--towns", "1", "--villages-per-town", "1")
    with pytest.raises(CommandError, match="已有 1 个村"):
        _bench("generate", "--towns", "1", "--villages-per-town", "1")


def test_refuses_a_database_with_accounts(world):
    villages = Division.objects.filter(level="village").count()
    with pytest.raises(CommandError, match="演示账号 town"):
        _bench("generate", "--towns", "1")
    with pytest.raises(CommandError, match="不是专用的基准测试数据库"):
        _bench("evaluate", "--repeat", "1")
    assert Division.objects.filter(level="village").count() == villages
