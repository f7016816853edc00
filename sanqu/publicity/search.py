"""Chinese text for the full-text index.

Written Chinese has no spaces, so a full-text index (SQLite FTS5, PostgreSQL's tsvector) takes a whole
sentence for one word and finds nothing inside it. The index and the query both get the text as
overlapping pairs of characters (城口县鸡鸣乡 → 城口 口县 县鸡 鸡鸣 鸣乡); a query matches when all its pairs
occur. Latin words and numbers stay whole, lower-cased.
"""

from __future__ import annotations

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")


def cjk_terms(text: str) -> str:
    terms: list[str] = []
    for run in _RUNS.findall(text):
        if not run.isascii():
            terms.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
        else:
            terms.append(run.lower())
    return " ".join(terms)
