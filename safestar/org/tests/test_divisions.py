import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safestar.org.services import BUNDLED_CSV, DivisionFileError, read_division_csv, subtree
from safestar.org.models import Division


def test_the_whole_henan_file_loads_with_materialised_paths(db):
    call_command("import_divisions", str(BUNDLED_CSV))
    assert Division.objects.count() == 2786
    assert Division.objects.filter(level="town").count() == 2586
    changgang = Division.objects.get(code="411422100000")
    assert changgang.name == "长岗镇" and changgang.parent.name == "睢县"
    assert changgang.path == "/410000000000/411400000000/411422000000/411422100000/"
    assert changgang.full_name() == "河南省 / 商丘市 / 睢县 / 长岗镇"
    assert Division.objects.filter(path__startswith=changgang.parent.path, level="town").count() == 20


def test_loading_twice_updates_in_place(db):
    call_command("import_divisions", str(BUNDLED_CSV), under="411422000000")
    first = dict(Division.objects.values_list("code", "id"))
    call_command("import_divisions", str(BUNDLED_CSV), under="411422000000")
    assert dict(Division.objects.values_list("code", "id")) == first


def test_subtree_keeps_ancestors_and_descendants_only():
    rows = subtree(read_division_csv(BUNDLED_CSV), "411422000000")
    assert {"410000000000", "411400000000", "411422000000", "411422100000"} <= set(rows)
    assert "410100000000" not in rows  # 郑州市
    assert all(r["parent_code"] in rows for r in rows.values() if r["parent_code"])


@pytest.mark.parametrize(
    "content, message",
    [
        ("code,name,level,parent_code\n41000000000,河南省,province,\n", "第2行：区划代码“41000000000”不是12位数字"),
        ("code,name,level,parent_code\n410000000000,河南省,state,\n", "第2行：未知层级“state”"),
        ("code,name,level,parent_code\n410000000000,河南省,province,\n410000000000,河南,province,\n", "第3行：区划代码 410000000000 重复"),
        ("code,name,level,parent_code\n410100000000,郑州市,city,410000000000\n", "410100000000 的上级 410000000000 不在文件中"),
        ("code,name\n", "缺少列 level、parent_code"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(tmp_path, db, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_divisions", str(path))
    assert not Division.objects.exists()


def test_unknown_subtree_root_is_refused():
    with pytest.raises(DivisionFileError, match="没有区划 419999000000"):
        subtree(read_division_csv(BUNDLED_CSV), "419999000000")
