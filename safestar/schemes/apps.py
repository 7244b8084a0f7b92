from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class SchemesConfig(AppConfig):
    name = "safestar.schemes"
    verbose_name = "创建方案与评分"

    def ready(self):
        # Every connection bumps the results' data generation before a write (cache.py).
        from safestar.core import backup, pages

        from .cache import install, page_version, pause, restored, resume

        connection_created.connect(install, dispatch_uid="schemes.cache.install")
        pre_migrate.connect(pause, sender=self, dispatch_uid="schemes.cache.pause")
        post_migrate.connect(resume, sender=self, dispatch_uid="schemes.cache.resume")
        backup.restored.connect(restored, dispatch_uid="schemes.cache.restored")
        for connection in connections.all(initialized_only=True):
            install(connection=connection)
        # The stored pages are valid while the generations are (core/pages.py); drawing a page may store results.
        pages.version = page_version
        pages.may_write.add("schemes_cachedresult")
