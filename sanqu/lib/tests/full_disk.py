"""Storage that finds the disk full part-way through a write, for the tests of every file a task writes."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage


def filling_the_disk(written: list[Path]) -> Callable[[FileSystemStorage, str, Any], str]:
    """A storage `_save` that writes the first bytes and then finds the disk full, as a real one would."""

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:100])
        written.append(path)
        raise OSError(errno.ENOSPC, "No space left on device")

    return save
