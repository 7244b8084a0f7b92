from django import template
from django.urls import reverse

from safestar.core.scope import can_read
from safestar.creation.models import Application, Finding, Inspection, RectificationPlan, SpecialCampaign
from safestar.org.roles import Level

register = template.Library()


def tabs(user):
    """The creation pages' tabs this user can open: each tab asks what its page's view requires, so a
    department that only runs campaigns (the police station) is not shown four tabs that answer 404."""
    town = user.division if getattr(user, "division_id", None) and user.division.level == Level.TOWN else None
    candidates = [
        ("applications", "创建主体与任务", "applications", (), can_read(Application, user)),
        ("inspections", "督导检查", "inspections", (), can_read(Inspection, user)),
        ("rectifications", "整改方案", "rectifications", (), can_read(RectificationPlan, user)),
        ("campaigns", "专项整治", "campaigns", (), can_read(SpecialCampaign, user)),
        ("weekly", "每周汇总", "weekly", (town.code,) if town else (), town is not None and can_read(Finding, user)),
    ]
    return [(key, label, reverse(name, args=args)) for key, label, name, args, allowed in candidates if allowed]


@register.inclusion_tag("creation/_tabs.html", takes_context=True)
def creation_tabs(context, active):
    return {"tabs": tabs(context["request"].user), "active": active}
