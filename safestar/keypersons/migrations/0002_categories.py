from django.db import migrations

# The categories the plan names (standard 7). Visit intervals follow common practice: monthly for
# released, correction, drug, youth and cult cases; quarterly for stable mental patients.
# (code, name, visit interval in days, departments that manage them, details they require)
CATEGORIES = [
    ("released", "刑满释放人员", 30, ["justice", "police"], ["release_date", "sentence"]),
    ("correction", "社区矫正对象", 30, ["justice"], ["correction_start", "correction_end"]),
    ("drugs", "吸毒人员", 30, ["police"], []),
    ("youth", "问题青少年", 30, [], []),
    ("cult", "涉邪教人员", 30, ["police"], []),
    ("mental", "严重精神障碍患者", 90, ["health", "police"], ["guardian_name", "guardian_relation", "guardian_phone", "risk_grade", "treatment"]),
    ("mental_suspected", "疑似严重精神障碍患者", 30, ["health"], []),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("keypersons", "Category")
    for order, (code, name, days, departments, details) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "visit_interval_days": days, "departments": departments,
                                 "required_details": details, "order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("keypersons", "0001_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
