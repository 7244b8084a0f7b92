"""Manual scores: who may give them, and giving one (which freezes the scheme version)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safestar.audit.log import record

from .models import ManualScore, Scheme


def manual_scores(scheme, villages):
    """{(village id, indicator): (points, reason)} for the engine, in one query."""
    rows = ManualScore.objects.filter(scheme=scheme, village__in=villages).values_list("village", "indicator", "points", "reason")
    return {(village, indicator): (points, reason) for village, indicator, points, reason in rows}


def save_manual_score(scheme, village, code, points, reason, user):
    indicator = next((i for i in scheme.spec.indicators() if i.code == code and i.rule.type == "manual"), None)
    if indicator is None:
        raise ValidationError(f"指标 {code} 不是本方案的人工评分项")
    if not 0 <= points <= indicator.points:
        raise ValidationError(f"得分应在 0 到 {indicator.points:g} 之间")
    if points < indicator.points and not reason.strip():
        raise ValidationError("扣分时须写明理由")
    with transaction.atomic():
        # An evaluation has now used this version: from here on, loading the scheme makes a new one.
        Scheme.objects.filter(pk=scheme.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        score, _ = ManualScore.objects.select_for_update().get_or_create(
            scheme=scheme, village=village, indicator=code, defaults={"points": points, "reason": reason, "scored_by": user}
        )
        before = [score.points, score.reason] if score.scored_by_id and (score.points, score.reason) != (points, reason) else [None, None]
        score.points, score.reason, score.scored_by = points, reason, user
        score.save()
        record("update", score, actor=user, object_repr=f"{scheme.name} {village.name} {code} 人工评分",
               changes={"points": [before[0], points], "reason": [before[1], reason]})
    return score
