from django.db import migrations

# The kinds the Changgang plan names (创建目标 and the 7 standards); counties add their own in the UI.
KINDS = [
    ("criminal_case", "刑事案件", "case"),
    ("major_public_security", "重大治安案件", "case"),
    ("telecom_fraud", "电信诈骗", ""),
    ("illegal_fundraising", "非法集资", ""),
    ("online_gambling", "网络赌博", ""),
    ("pyramid_selling", "传销", ""),
    ("gambling", "聚众赌博", ""),
    ("illegal_religion", "非法宗教活动", ""),
    ("religious_interference", "宗教干涉村级事务", ""),
    ("safety_accident", "安全事故", "accident"),
    ("illegal_petition", "非法上访", "petition"),
    ("key_person_incident", "重点人员肇事肇祸", ""),
    ("poor_emergency_response", "应急处置不力", ""),
]


def add_kinds(apps, schema_editor):
    IncidentKind = apps.get_model("incidents", "IncidentKind")
    for order, (code, name, zero) in enumerate(KINDS, start=1):
        IncidentKind.objects.update_or_create(code=code, defaults={"name": name, "zero_category": zero, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
