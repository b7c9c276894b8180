"""The `tongban` command: Django's management commands under one name.

`tongban demo` starts the demo, `tongban catalog …` maintains the catalogue, and every Django
command works too (`tongban migrate`, `tongban createsuperuser`, `tongban shell`).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tongban", *sys.argv[1:]])


if __name__ == "__main__":
    main()
