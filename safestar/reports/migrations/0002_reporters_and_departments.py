import django.db.models.deletion
from django.db import migrations, models


def reporters_division(apps, schema_editor):
    """Every report so far is a village's: its division is its village."""
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.filter(division__isnull=True).only("id", "village_id"):
        Report.objects.filter(pk=report.pk).update(division_id=report.village_id)


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0004_user_phone_field"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="requirement",
            name="reporters",
            field=models.CharField(choices=[("villages", "各行政村"), ("departments", "各部门")], default="villages",
                                   help_text="辖区内的各行政村，或设在辖区内的各部门（派出所、司法所等）", max_length=12, verbose_name="报送对象"),
        ),
        migrations.AddField(
            model_name="report",
            name="department",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="org.department", verbose_name="部门"),
        ),
        migrations.AlterField(
            model_name="report",
            name="village",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="org.division", verbose_name="村"),
        ),
        migrations.AddField(
            model_name="report",
            name="division",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.division",
                                    verbose_name="报送单位所在区划"),
        ),
        migrations.RunPython(reporters_division, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="division",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.division",
                                    verbose_name="报送单位所在区划"),
        ),
        migrations.AlterModelOptions(
            name="report",
            options={"ordering": ["requirement", "number", "division__code", "department__name"], "verbose_name": "工作汇报",
                     "verbose_name_plural": "工作汇报"},
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(fields=("requirement", "department", "number"), name="one_report_per_department_and_period"),
        ),
    ]
