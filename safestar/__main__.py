"""The `safestar` console script: Django's manage.py for this project.

Every operator task is a management command: `safestar demo`, `safestar token create USER`,
`safestar import_divisions FILE`, `safestar migrate`, `safestar runserver`, ...
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safestar.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv or sys.argv)


if __name__ == "__main__":
    main()
