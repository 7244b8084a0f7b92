import django.db.models.deletion
from django.db import migrations, models


def first_generation(apps, schema_editor):
    apps.get_model("schemes", "ResultGeneration").objects.create(pk=1, n=0)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0005_alter_user_role'),
        ('schemes', '0002_manualscore'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResultGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('n', models.BigIntegerField(default=0, verbose_name='代数')),
            ],
            options={'verbose_name': '评分数据代数', 'verbose_name_plural': '评分数据代数'},
        ),
        migrations.CreateModel(
            name='CachedResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('variant', models.IntegerField(default=0, verbose_name='评查轮次')),
                ('generation', models.BigIntegerField(verbose_name='数据代数')),
                ('day', models.DateField(verbose_name='计算日期')),
                ('payload', models.JSONField(verbose_name='结果')),
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='schemes.scheme', verbose_name='方案')),
                ('village', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.division', verbose_name='村')),
            ],
            options={'verbose_name': '评分结果缓存', 'verbose_name_plural': '评分结果缓存'},
        ),
        migrations.AddConstraint(
            model_name='cachedresult',
            constraint=models.UniqueConstraint(fields=('scheme', 'variant', 'village'), name='cached_result_unique'),
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
