from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safestar.core"
    verbose_name = "公共"

    def ready(self):
        # Django 6.1's new blank-choice label "- Select an option -" has no Chinese translation yet;
        # this is the documented hook for changing it (see the USE_BLANK_CHOICE_DASH deprecation).
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = "请选择"

        from . import edge

        edge.install()  # the date window on every form date field (core/edge.py)

        # Each app declares its ledgers, metrics and what it adds to pages it does not own (village-page
        # panels, navigation entries, home cards: core/panels.py) in ledgers.py, metrics.py, panels.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("ledgers", "metrics", "panels")
