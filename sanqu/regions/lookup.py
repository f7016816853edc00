"""Finding a region from what people write: a code (current or former), a full or short name."""

from __future__ import annotations

import unicodedata

from django.db.models import Q

from sanqu.regions.models import Region, RegionCode


def find_region(text: str, *, within: Region | None = None) -> Region | None:
    """The region `text` names, or None if it names none or more than one.

    Accepts 500229, 城口县, 城口, and former codes such as 500234 (开县 → 开州区).
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    regions = Region.objects.all()
    if within is not None:
        regions = regions.filter(path__startswith=within.path)
    if value.isdigit():
        found = regions.filter(code=value).first()
        if found is None:
            former = RegionCode.objects.filter(code=value).select_related("region").first()
            if former is not None and (within is None or within.contains(former.region)):
                found = former.region
        return found
    matches = list(regions.filter(Q(name=value) | Q(short_name=value)).order_by("level")[:3])
    if not matches:
        former_named = RegionCode.objects.filter(name=value).select_related("region").first()
        return former_named.region if former_named is not None else None
    # A county and a township may share a name; the higher level wins only if it is unique.
    top_level = [region for region in matches if region.level == matches[0].level]
    return top_level[0] if len(top_level) == 1 else None
