"""The village's profile (村基本情况，底数): population, households, area, natural villages, grids and
grid workers, the 村两委 members and their posts, key sites. One alive record per village, kept up to
date in place; every change of a number or of the members is dated (core/states.py tracked fields,
the form's 变更生效日期), so a past year reads the profile as it stood then.

The 一村一警 officer and the legal adviser are not typed again here: the village page shows them
from their own ledgers (村治安防控概况, 法律顾问台账), as of the same day."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from safestar.core.ledger import LedgerRecord
from safestar.org.roles import DataField, holders

ONE_PROFILE_PER_VILLAGE = "该村已有基本情况记录（每村一条），请在原记录上修改，不要重复新增。"


class VillageProfile(LedgerRecord):
    population = models.PositiveIntegerField("常住人口（人）")
    registered_population = models.PositiveIntegerField("户籍人口（人）", null=True, blank=True)
    households = models.PositiveIntegerField("户数（户）")
    area = models.DecimalField("村域面积（平方公里）", max_digits=7, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0, "面积不能小于 0")])
    natural_villages = models.PositiveSmallIntegerField("自然村（村民组）数", default=0)
    grids = models.PositiveSmallIntegerField("网格数", default=0)
    grid_workers = models.PositiveSmallIntegerField("网格员人数", default=0)
    committee = models.TextField("村两委成员及职务", blank=True, help_text="每行一人：姓名 职务，如“张建国 党支部书记、村委会主任”")
    key_sites = models.TextField("重点场所", blank=True, help_text="学校、集贸市场、宗教场所、企业、坑塘等，每行一处")
    established_on = models.DateField("建档日期", help_text="本基本情况所述数字开始有效的日期；不详时填写已知的最早日期")
    updated_on = models.DateField("信息更新日期")

    data_field = DataField.CREATION  # 底数 is the creation's: departments sharing the creation field read it
    scope_write_roles = holders("profiles.keep")
    tracked_fields = ("population", "registered_population", "households", "natural_villages", "grids", "grid_workers",
                      "committee", "key_sites")  # core/states.py

    class Meta:
        verbose_name = verbose_name_plural = "村基本情况"
        constraints = [
            models.UniqueConstraint(
                fields=["division"], condition=Q(deleted_at__isnull=True), name="profiles_one_alive_profile_per_village",
                violation_error_code="unique", violation_error_message=ONE_PROFILE_PER_VILLAGE,
            )
        ]

    def __str__(self):
        return f"{self.division.name}基本情况" if self.division_id else "村基本情况"

    def validate_constraints(self, exclude=None):
        # As in 村治安防控概况: the form excludes deleted_at, which would skip the conditional constraint.
        if exclude and "division" not in exclude:
            exclude = set(exclude) - {"deleted_at"}
        super().validate_constraints(exclude=exclude)
