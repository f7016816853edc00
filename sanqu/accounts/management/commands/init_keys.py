from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanqu.lib.keys import write_key_file


class Command(BaseCommand):
    help = "Create the key file for sensitive fields (AES-GCM field key and lookup-hash key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default=str(settings.SANQU_KEY_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if path.exists():
            raise CommandError(f"{path} exists; refusing to replace keys that encrypt data (密钥文件已存在).")
        write_key_file(path)
        self.stdout.write(
            self.style.SUCCESS(f"Keys written to {path} (mode 600). Back it up apart from the data.")
        )
