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


# Committee suffixes of the statistical division codes, longest first, and what stays of each.
# "村民委员会" often shares its 村 with the name (白龙村民委员会 is 白龙村's committee), so the 村 is
# kept unless the name already ends with 村 or 社区; a residents' committee is a 社区.
_COMMITTEE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("社区村民委员会", "社区"),
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
)


def village_name(name: str) -> str:
    """The readable name of a village or community.

    云隘村村民委员会 → 云隘村, 盐井凼村民委员会 → 盐井凼村, 多福巷社区居民委员会 → 多福巷社区.
    """
    name = name.strip()
    for suffix, kept in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + kept
    return name
