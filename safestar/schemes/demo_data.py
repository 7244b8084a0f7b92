"""Demo: the two shipped schemes, and the county evaluator's manual scores for 长岗镇 in the year."""

import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

from safestar.org.demo import TOWN
from safestar.org.models import Division, User

from .loading import load as load_scheme
from .models import ManualScore, Scheme
from .kinds import kind_of
from .services import save_manual_score

SCHEMES_DIR = Path(settings.BASE_DIR).parent / "schemes"
COMMENTS = ["登记不全，缺少走访记录", "措施落实不到位", "台账不规范", "部分对象未落实帮教"]


@transaction.atomic
def load(year):
    for path in sorted(SCHEMES_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if not Scheme.objects.filter(source=text).exists():
            load_scheme(text, f"schemes/{path.name}")
    scheme = Scheme.objects.filter(issuer__code=TOWN, year=year).order_by("-version").first()
    if scheme is None or ManualScore.objects.filter(scheme=scheme).exists():
        return
    evaluator = User.objects.get(username="county")
    rng = random.Random(year)
    manual = [i for i in scheme.spec.indicators() if kind_of(i.rule).manual]
    for village in Division.objects.filter(parent__code=TOWN).order_by("code"):
        for indicator in manual:
            full = rng.random() < 0.7
            points = indicator.points if full else max(0, indicator.points - rng.choice([0.5, 1]))
            save_manual_score(scheme, village, indicator.code, points, "" if full else rng.choice(COMMENTS), evaluator)
