"""The service-record ledger (服务记录台账) into service records: one row is one service given to a person.

Ledgers of services are long (a county's year is tens of thousands of rows), so this kind is checked
in bulk rather than row by row through `service_record_create`: the people, service types and
records already on file that the rows name are read in a few queries, every row is checked in memory
with the form's own rules (`service_errors`) and the same scope (`beneficiaries_for`, `people_for`),
and the new records are written with `insert_rows` (their tallies summed meanwhile, then added to
the rollups) and the projects' people served refreshed for the people named (`served.refresh`), in
the same transaction. What a row may do:

- create a record the ledger names by its natural key (day, person served, worker, method, type);
- leave one unchanged when the same key is on file with the same hours, place and summary;
- nothing else: a service on file is never changed from a ledger (nor on the pages), so a row that
  names one with other hours, place or summary is refused with that reason.

Who may import: the county section and the city office (IMPORT_SERVICES) for the workers and people
of their scope; a worker or supervisor (ADD_SERVICE) her own services only. The people are those the
importer may record services for on the form (`beneficiaries_for`): the county section all of its
county's, the city office all but those restricted to the first circle (children under 14 and
restricted groups), whose services the county section or the worker in charge imports. A person or worker
outside the importer's scope is reported exactly like one not on file, so an import never tells
what lies out of sight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanqu.accounts.models import User
from sanqu.accounts.roles import ADD_SERVICE, IMPORT_SERVICES
from sanqu.cases import rollups
from sanqu.cases.models import ServiceRecord, ServiceType
from sanqu.cases.models.beneficiaries import beneficiary_id_hash
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.services.beneficiaries import person_of
from sanqu.cases.services.service_records import service_errors
from sanqu.ledgers.kinds import choice_values
from sanqu.ledgers.reading import Row
from sanqu.lib import clock
from sanqu.lib.bulk import insert_rows_beside
from sanqu.projects import served
from sanqu.regions.models import Region
from sanqu.workforce.models import Person, id_number_hash
from sanqu.workforce.selectors import people_for

CHUNK = 900  # ids per IN (…) query: under SQLite's smallest limit on parameters
WRITE_BATCH = 2000
PLACE_LENGTH = ServiceRecord._meta.get_field("place").max_length or 100
METHODS = choice_values(ServiceRecord.Method)

CHANGED = gettext_lazy(
    "该服务已登记，但时长、地点或内容摘要与系统中的不同；已登记的服务记录不能通过台账修改。"
)
NEW_COLUMNS = (
    "served_on",
    "worker_id",
    "method",
    "service_type_id",
    "duration_hours",
    "place",
    "notes",
    "beneficiary_id",
    "county_id",
)
# A new record's (county, service type, day, hours), as `rollups.tallies_of` takes them.
TALLY = itemgetter(
    *(NEW_COLUMNS.index(name) for name in ("county_id", "service_type_id", "served_on", "duration_hours"))
)
PERSON = itemgetter(NEW_COLUMNS.index("beneficiary_id"))
COUNTY_DAY = itemgetter(NEW_COLUMNS.index("county_id"), NEW_COLUMNS.index("served_on"))
Outcome = tuple[str, list[tuple[str, str]]]  # action, [(column key or "" for the whole row, reason)]
Key = tuple[Any, ...]
Values = dict[str, Any]
_NO_TYPE: tuple[None, None] = (None, None)


def _chunks[T](items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _by_hash(numbers: Iterable[str], keyed: Callable[[str], str]) -> dict[str, list[str]]:
    """Lookup hash → the ID numbers (as the rows write them) with that hash, each number hashed once
    however many rows name it."""
    found: dict[str, list[str]] = {}
    for number in numbers:
        found.setdefault(keyed(number), []).append(number)
    return found


@dataclass(frozen=True)
class _Served:
    pk: int
    county_id: int


class ServiceRows:
    """服务记录台账, checked and written in bulk (see the module's docstring)."""

    bulk = True
    fields = {
        "served_on": "served_on",
        "beneficiary": "beneficiary_id_number",
        "worker": "worker_id_number",
        "method": "method",
        "service_type": "service_type",
        "duration_hours": "duration_hours",
        "place": "place",
        "notes": "notes",
    }

    def __init__(self) -> None:
        self._new: list[tuple[Any, ...]] = []  # the records to create, values in NEW_COLUMNS' order

    def key(self, values: dict[str, Any]) -> Key:
        return (
            values["served_on"],
            values["beneficiary_id_number"],
            values["worker_id_number"],
            values["method"],
            values["service_type"],
        )

    # Reading what the rows name, a chunk of ids per query.

    def _served(self, actor: User, rows: Sequence[Row]) -> dict[str, _Served]:
        """ID number → the person served, for the people of the rows the actor may record services for."""
        numbers_of = _by_hash({str(row.values["beneficiary_id_number"]) for row in rows}, beneficiary_id_hash)
        counties = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("path", "pk"))
        found: dict[str, _Served] = {}
        visible = beneficiaries_for(actor)
        for chunk in _chunks(list(numbers_of)):
            for id_hash, pk, path in visible.filter(id_hash__in=chunk).values_list(
                "id_hash", "pk", "region__path"
            ):
                for number in numbers_of[str(id_hash)]:
                    found[number] = _Served(pk, counties[path[:6]])
        return found

    def _workers(self, actor: User, rows: Sequence[Row]) -> dict[str, int]:
        """ID number → person id, for the workers of the rows the actor may record services of."""
        numbers_of = _by_hash({str(row.values["worker_id_number"]) for row in rows}, id_number_hash)
        if actor.has_perm(IMPORT_SERVICES):
            visible: QuerySet[Person] = people_for(actor)
        elif actor.has_perm(ADD_SERVICE) and (own := person_of(actor)) is not None:
            visible = Person.objects.filter(pk=own.pk)
        else:
            return {}
        found: dict[str, int] = {}
        for chunk in _chunks(list(numbers_of)):
            for id_hash, pk in visible.filter(id_hash__in=chunk).values_list("id_hash", "pk").distinct():
                for number in numbers_of[str(id_hash)]:
                    found[number] = pk
        return found

    def _on_file(self, beneficiary_ids: Iterable[int]) -> dict[Key, tuple[Decimal, str, str]]:
        """(day, person, worker, method, type id) → (hours, place, summary) of the records on file."""
        found: dict[Key, tuple[Decimal, str, str]] = {}
        columns = ("served_on", "beneficiary_id", "worker_id", "method", "service_type_id")
        for chunk in _chunks(sorted(set(beneficiary_ids))):
            records = ServiceRecord.objects.filter(beneficiary_id__in=chunk).order_by()
            for *key, hours, place, notes in records.values_list(
                *columns, "duration_hours", "place", "notes"
            ):
                found[tuple(key)] = (hours, place, notes)
        return found

    # Checking every row.

    def check(
        self, actor: User, rows: Sequence[Row], *, progress: Callable[[int], None] | None = None
    ) -> list[Outcome]:
        """Each row's outcome, in order; the records to create are kept for `write`."""
        served = self._served(actor, rows)
        workers = self._workers(actor, rows)
        types = {kind.name: (kind, kind.pk) for kind in ServiceType.objects.all()}
        on_file = self._on_file(person.pk for person in served.values())
        today = clock.today()
        scope_refused = _("在您的权限范围内没有该身份证号的%(whom)s。")
        no_person = scope_refused % {"whom": _("服务对象")}
        no_worker = scope_refused % {"whom": _("社工")}
        changed = str(CHANGED)
        fields = self.fields
        outcomes: list[Outcome] = []
        new = self._new = []
        created: Outcome = ("create", [])
        for done, row in enumerate(rows):
            if progress is not None and done % 5000 == 0:
                progress(done)
            values = cast(Values, row.values)
            errors: list[tuple[str, str]] = []
            person = served.get(values["beneficiary_id_number"])
            if person is None:
                errors.append(("beneficiary_id_number", no_person))
            worker = workers.get(values["worker_id_number"])
            if worker is None:
                errors.append(("worker_id_number", no_worker))
            type_name = values["service_type"]
            kind, kind_pk = types.get(type_name, _NO_TYPE)
            if kind is None:
                errors.append(("service_type", _("没有名为“%(name)s”的服务类型。") % {"name": type_name}))
            hours = values.get("duration_hours")
            place = values.get("place") or ""
            notes = values.get("notes") or ""
            served_on = values["served_on"]
            method = METHODS[values["method"]]
            if kind is not None:
                found = service_errors(
                    served_on=served_on, method=method, service_type=kind, duration_hours=hours, today=today
                )
                if found:
                    errors += [(fields[name], reason) for name, reason in found.items()]
            if len(place) > PLACE_LENGTH:
                errors.append(("place", _("服务地点不能超过%(n)s个字。") % {"n": PLACE_LENGTH}))
            if errors or person is None or worker is None or kind is None:
                outcomes.append(("reject", errors))
                continue
            stored = on_file.get((served_on, person.pk, worker, method, kind_pk))
            if stored is None:
                new.append(
                    (served_on, worker, method, kind_pk, hours, place, notes, person.pk, person.county_id)
                )
                outcomes.append(created)
            elif stored == (hours, place, notes):
                outcomes.append(("unchanged", []))
            else:
                outcomes.append(("reject", [("", changed)]))
        return outcomes

    def write(self, actor: User) -> int:
        """Write the records `check` found new, with their tallies; returns how many."""
        # In the order of the (county, day) index rather than the file's: each county's days are
        # then written together, and the insert took a fifth less time (measured on SQLite).
        self._new.sort(key=COUNTY_DAY)
        new = self._new
        count, tallies = insert_rows_beside(
            lambda: rollups.tallies_of(map(TALLY, new)),
            ServiceRecord,
            NEW_COLUMNS,
            new,
            constants={"created_by_id": actor.pk},
        )
        rollups.add_tallies(tallies)
        served.refresh(people=map(PERSON, new))  # the projects' people served
        return count
