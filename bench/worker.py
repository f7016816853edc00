"""`python -m bench.worker module:function RESULT_FILE` with JSON options on stdin.

The process a measurement runs in (see `bench.common.run_in_django`): Django is set up from the
environment the parent gave, the function is called with the options, and what it returns is
written as JSON to RESULT_FILE.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main() -> None:
    target, result = sys.argv[1], Path(sys.argv[2])
    options = json.load(sys.stdin)
    import django

    django.setup()
    module, name = target.split(":")
    function = getattr(importlib.import_module(module), name)
    result.write_text(json.dumps(function(options), ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
