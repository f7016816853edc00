"""Short names of counties as people write them (城口 for 城口县, 秀山 for 秀山土家族苗族自治县)."""

from __future__ import annotations


def short_name(name: str) -> str:
    if name.endswith("自治县"):
        # The place name comes first and has two characters in every autonomous county here
        # (石柱, 秀山, 酉阳, 彭水); the rest names the peoples.
        return name[:2]
    if len(name) > 2 and name[-1] in "县区市":
        return name[:-1]
    return name
