"""What can be done to the division tree: loading it from the CSV of the National Bureau of
Statistics codes, and adding or renaming a village (the page and the import)."""

import csv
from pathlib import Path

from django.db import transaction

from safestar.audit.log import diff, record, snapshot

from .models import Division
from .roles import LEVEL_ORDER, Level

BUNDLED_CSV = Path(__file__).parent / "data" / "henan-divisions.csv"


class DivisionFileError(Exception):
    pass


def read_division_csv(path):
    """Rows {code, name, level, parent_code}; every error names the line."""
    rows = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or [])
        if missing:
            raise DivisionFileError(f"{path}：缺少列 {'、'.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            code, level = row["code"].strip(), row["level"].strip()
            if not (len(code) == 12 and code.isdigit()):
                raise DivisionFileError(f"{path} 第{line}行：区划代码“{code}”不是12位数字")
            if level not in LEVEL_ORDER:
                raise DivisionFileError(f"{path} 第{line}行：未知层级“{level}”")
            if code in rows:
                raise DivisionFileError(f"{path} 第{line}行：区划代码 {code} 重复")
            rows[code] = {"code": code, "name": row["name"].strip(), "level": level, "parent_code": row["parent_code"].strip()}
    for code, row in rows.items():
        if row["parent_code"] and row["parent_code"] not in rows:
            raise DivisionFileError(f"{path}：{code} 的上级 {row['parent_code']} 不在文件中")
    return rows


def subtree(rows, root_code):
    """The rows of root_code, its ancestors and all its descendants."""
    if root_code not in rows:
        raise DivisionFileError(f"文件中没有区划 {root_code}")
    keep = {code for code in rows if _descends(rows, code, root_code)}
    code = rows[root_code]["parent_code"]
    while code:
        keep.add(code)
        code = rows[code]["parent_code"]
    return {code: row for code, row in rows.items() if code in keep}


def _descends(rows, code, ancestor):
    while code:
        if code == ancestor:
            return True
        code = rows[code]["parent_code"]
    return False


@transaction.atomic
def load_divisions(rows):
    """Insert or update the divisions, level by level, with set-based writes. Returns the count."""
    ids, paths = {}, {}  # every parent is in `rows` (read_division_csv checks it) and comes first
    for level in LEVEL_ORDER:
        batch = [r for r in rows.values() if r["level"] == level]
        if not batch:
            continue
        objects = []
        for r in batch:
            path = paths.get(r["parent_code"], "/") + r["code"] + "/"
            paths[r["code"]] = path
            objects.append(
                Division(code=r["code"], name=r["name"], level=Level(level), parent_id=ids.get(r["parent_code"]), path=path)
            )
        Division.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=["code"], update_fields=["name", "level", "parent", "path", "updated_at"]
        )
        ids.update(Division.objects.filter(code__in=[r["code"] for r in batch]).values_list("code", "id"))
    record("import", object_repr=f"行政区划导入：{len(rows)} 条", changes={"count": len(rows)})
    return len(rows)


def save_village(cleaned):
    """Create or rename one village, with its audit event. Returns "create", "update" or "unchanged"."""
    village = cleaned.get("existing")
    fields = ["code", "name", "level", "parent"]
    if village is None:
        village = Division(code=cleaned["code"], name=cleaned["name"], level=Level.VILLAGE, parent=cleaned["town_code"])
        village.save()
        record("create", village, changes=diff({}, snapshot(village, fields)))
        return "create"
    if village.name == cleaned["name"]:
        return "unchanged"
    before = snapshot(village, fields)
    village.name = cleaned["name"]
    village.save()
    record("update", village, changes=diff(before, snapshot(village, fields)))
    return "update"
