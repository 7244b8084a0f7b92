"""Key persons for tests: valid, unique ID numbers; the village's cadre as 包案人."""

import datetime
import itertools

from django.utils import timezone

from safestar.core.validators import id_check_char
from safestar.org.models import Division, User

from ..models import Category, KeyPerson, Visit

_serial = itertools.count(500)


def id_number(birth="19800101"):
    first17 = f"411422{birth}{next(_serial) % 1000:03d}"
    return first17 + id_check_char(first17)


def key_person(code, *, categories=("drugs",), deleted=False, registered=datetime.date(2023, 1, 5), **fields):
    village = Division.objects.get(code=code)
    responsible = User.objects.filter(role="village", division=village).first()
    values = {"registered_on": registered, "name": "测试人员", "id_number": id_number(), "phone": "13900001111", "responsible": responsible,
              "measures_management": "包案管理", "measures_education": "法治教育", "measures_service": "帮助就业"}
    person = KeyPerson.objects.create(division=village, **(values | fields))
    person.categories.set(Category.objects.filter(code__in=categories))
    updates = {}
    if deleted:
        updates["deleted_at"] = timezone.now()
    if updates:
        KeyPerson.objects.filter(pk=person.pk).update(**updates)
        person.refresh_from_db()
    return person


def visit(person, day=datetime.date(2023, 5, 1), **fields):
    return Visit.objects.create(division=person.division, person=person, visited_on=day, visitor="李主任",
                                findings=fields.pop("findings", "按时服药，情绪稳定"), **fields)
