"""The `sanqu` command: Django's manage.py with Sanqu's settings preset."""

from __future__ import annotations

import os
import sys

# The commands that run until stopped, whose start-up objects are settled out of the collector's
# walks (sanqu.lib.heap); execute_from_command_line then finds Django set up.
LONG_RUNNING = ("db_worker", "scheduler")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanqu.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] and sys.argv[1] in LONG_RUNNING:
        import django

        from sanqu.lib import heap

        django.setup()
        heap.settle()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
