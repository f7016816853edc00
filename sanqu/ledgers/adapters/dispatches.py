"""The dispatch ledger (选派社工台账) into the people registry: one row is a person's term in a year.

The worker is found by ID number; someone not on file yet is registered from the row (name, ID
number, phone; the sex follows from the number), with the receiving county as her county, where
the importing officer may register people, and the sending organisation as her workplace. A worker
on file must be someone the importer may see (the dispatch form offers no one else), and the row's
name must be hers: a ledger does not rename people.

The term goes through `dispatch_create` and `dispatch_update`, so the rules of a term hold as on the
pages: no two terms of a person on the same day, no end before the start or after today, an
assessment only once the term has ended. `派驻结束日期` is the actual end of a term that has ended
(期满, 提前离岗) and the planned end of one in post, as the export writes it.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.scoping import scope_of
from sanqu.ledgers.kinds import choice_values
from sanqu.lib import clock, idnumber
from sanqu.orgs.models import Organisation
from sanqu.orgs.selectors import organisations_for
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.regions.selectors import in_write_scope, stations_for
from sanqu.workforce.models import Dispatch, Person
from sanqu.workforce.selectors import people_for
from sanqu.workforce.services import (
    dispatch_create,
    dispatch_update,
    find_person_by_id_number,
    person_create,
    person_update,
    writable_dispatches,
)

Status = Dispatch.Status
Reason = Dispatch.LeaveReason

# Words a 离岗原因 written in a county's own words carries, in the order they are tried: the first
# reason whose word occurs is taken, and the whole text is kept as the note. A text with none of them
# is 其他, kept as the note too.
REASON_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Reason.CIVIL_SERVICE, ("公务员", "事业单位", "事业编", "考编", "选调")),
    (Reason.STUDY, ("深造", "读研", "考研", "升学", "留学", "进修")),
    (Reason.SENDER, ("派出单位",)),
    (Reason.PAY, ("薪酬", "待遇", "工资", "收入")),
    (Reason.HEALTH, ("身体", "健康", "疾病", "生病", "住院")),
    (Reason.FAMILY, ("家庭", "家人", "家里", "结婚", "生育", "照顾", "父母", "子女")),
    (Reason.OTHER_JOB, ("另谋", "辞职", "离职", "跳槽", "换工作", "求职", "就业", "创业")),
)
_LABEL_SEPARATOR = re.compile(r"[：:]")


class DispatchRows:
    """选派台账: the worker's ID number and the year name a term."""

    fields = {
        # The term's fields (dispatch_create, dispatch_update).
        "person": "id_number",
        "programme_year": "year",
        "renewal_of": "year",
        "sending_organisation": "sending_organisation",
        "county": "county",
        "station": "station",
        "started_on": "started_on",
        "planned_end_on": "ended_on",
        "ended_on": "ended_on",
        "status": "status",
        "leave_reason": "leave_reason",
        "leave_note": "leave_reason",
        "assessment": "assessment",
        "assessed_on": "ended_on",  # an assessment date before a corrected end: the end is what moved
        # The worker's fields (person_create, person_update).
        "name": "name",
        "id_number": "id_number",
        "sex": "sex",
        "phone": "phone",
        "organisation": "sending_organisation",
    }
    statuses = choice_values(Status)
    assessments = choice_values(Dispatch.Assessment)
    reasons = choice_values(Reason)
    sexes = {value: label for label, value in choice_values(Person.Sex).items()}

    # The worker ------------------------------------------------------------------------------

    def _worker(self, actor: User, values: dict[str, Any]) -> Person | None:
        """The person the row's ID number names, checked against the row; None if not on file."""
        self._check_sex(values)
        person = find_person_by_id_number(values["id_number"])
        if person is None:
            return None
        if not people_for(actor).filter(pk=person.pk).exists():
            raise PermissionDenied
        if person.name != values["name"].strip():
            raise ValidationError(
                {
                    "name": _("姓名“%(row)s”与该身份证号登记的姓名“%(name)s”不符。")
                    % {"row": values["name"], "name": person.name}
                }
            )
        return person

    def _check_sex(self, values: dict[str, Any]) -> None:
        # The sex is not stored apart from the ID number (it is the number's 17th digit), so a 性别
        # that disagrees means one of the two cells is mistyped: the officer is told, nothing is guessed.
        sex = values.get("sex")
        expected = self.sexes[idnumber.sex(values["id_number"])]
        if sex and sex != expected:
            raise ValidationError(
                {
                    "sex": _("性别“%(row)s”与身份证号不符（按身份证号应为“%(sex)s”）。")
                    % {"row": sex, "sex": expected}
                }
            )

    @staticmethod
    def _new_phone(person: Person, values: dict[str, Any]) -> str | None:
        # A phone in the row that differs from the one on file is her new number: the county keeps
        # the ledger up to date with the people it has posted, so the ledger's number is taken. An
        # empty cell is a gap in the ledger, not a request to forget the number on file.
        phone = values.get("phone") or ""
        return phone if phone and phone != (person.phone or "") else None

    # The term --------------------------------------------------------------------------------

    def _year(self, values: dict[str, Any], record: Dispatch | None) -> ProgrammeYear:
        """The row's programme year, which must receive workers in the row's county (checked for a
        new term or a term moved: one on file stays where the pages put it)."""
        year = ProgrammeYear.objects.filter(year=values["year"]).first()
        if year is None:
            raise ValidationError(
                {"programme_year": _("没有%(year)s年度的计划。") % {"year": values["year"]}}
            )
        county: Region = values["county"]
        moved = record is None or record.county_id != county.pk
        if moved and not ReceivingCounty.objects.filter(programme_year=year, county=county).exists():
            raise ValidationError(
                {
                    "county": _("%(county)s不是%(year)s年度的受援区县。")
                    % {"county": county.name, "year": year.year}
                }
            )
        return year

    def _organisation(self, actor: User, values: dict[str, Any]) -> Organisation:
        """The sending organisation by its name: one the actor sees first (a name is unique only within
        a county), else the registry's, which the dispatch form offers in full (sending organisations
        are usually based outside the receiving county)."""
        name = values["sending_organisation"]
        for organisations in (organisations_for(actor), Organisation.objects.select_related("home_county")):
            found = list(organisations.filter(name=name).distinct()[:5])
            if len(found) == 1:
                return found[0]
            if found:
                raise ValidationError(
                    {
                        "sending_organisation": _(
                            "有多个名为“%(name)s”的单位（%(counties)s），无法确定派出单位。"
                        )
                        % {"name": name, "counties": "、".join(o.home_county.name for o in found)}
                    }
                )
        raise ValidationError(
            {
                "sending_organisation": _("没有名为“%(name)s”的派出单位：请填写单位登记的全称。")
                % {"name": name}
            }
        )

    def _station(self, actor: User, values: dict[str, Any], record: Dispatch | None) -> Station | None:
        """The station by its name within the receiving county; an empty cell clears it, a missing
        column keeps the one on file."""
        if "station" not in values:
            return record.station if record is not None else None
        name = values["station"]
        if not name:
            return None
        county: Region = values["county"]
        found = list(
            stations_for(actor, write=True).filter(name=name, region__path__startswith=county.path)[:5]
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError(
                {
                    "station": _("%(county)s有多个名为“%(name)s”的服务站点（%(places)s），无法确定是哪一个。")
                    % {"county": county.name, "name": name, "places": "、".join(s.region.name for s in found)}
                }
            )
        raise ValidationError(
            {"station": _("%(county)s没有名为“%(name)s”的服务站点。") % {"county": county.name, "name": name}}
        )

    def _reason(self, text: str) -> tuple[str, str]:
        """离岗原因 as (reason, note): a reason's label, maybe followed by `：` and the note (as the export
        writes it); else the reason its words name, or 其他, with the whole text as the note."""
        if not text:
            return "", ""
        parts = _LABEL_SEPARATOR.split(text, maxsplit=1)
        head, rest = parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""
        if head in self.reasons:
            return self.reasons[head], rest
        for reason, words in REASON_WORDS:
            if any(word in text for word in words):
                return reason, text
        return Reason.OTHER, text

    def _term(self, values: dict[str, Any], record: Dispatch | None) -> dict[str, Any]:
        """The row's status, dates, reason and assessment as the model holds them."""
        started_on = values["started_on"]
        end = values.get("ended_on")
        label = values.get("status")
        if label:
            status = self.statuses[label]
        elif end is not None and end < clock.today():
            # No status, and the end is past: 期满 and 提前离岗 differ too much (retention, reasons) to guess.
            raise ValidationError(
                {
                    "status": _("派驻结束日期 %(day)s 已过，请在“状态”中注明“期满”或“提前离岗”。")
                    % {"day": f"{end:%Y-%m-%d}"}
                }
            )
        else:
            status = Status.SERVING
        if record is not None and record.started_on == started_on:
            planned = record.planned_end_on
        else:
            planned = Dispatch.default_planned_end(started_on)
        if "leave_reason" in values:
            reason, note = self._reason(values["leave_reason"] or "")
        else:
            reason, note = (record.leave_reason, record.leave_note) if record is not None else ("", "")
        # An empty 考核结果 keeps the grade on file: a grade is recorded or corrected, never withdrawn.
        grade = values.get("assessment")
        assessment = self.assessments[grade] if grade else (record.assessment if record is not None else "")
        return {
            "started_on": started_on,
            "status": status,
            # In post, the row's end is the planned one; once ended, the actual one.
            "planned_end_on": (end or planned) if status == Status.SERVING else planned,
            "ended_on": None if status == Status.SERVING else end,
            "leave_reason": reason,
            "leave_note": note,
            "assessment": assessment,
        }

    def _check_scope(self, actor: User, values: dict[str, Any]) -> None:
        # Before anything else: a row for a county out of the actor's reach tells nothing more.
        if not in_write_scope(scope_of(actor), values["county"]):
            raise PermissionDenied

    # The protocol ----------------------------------------------------------------------------

    def writable(self, actor: User) -> QuerySet[Dispatch]:
        return writable_dispatches(actor)

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["id_number"], values["year"])

    def find(self, values: dict[str, Any]) -> Dispatch | None:
        person = find_person_by_id_number(values["id_number"])
        if person is None:
            return None
        return (
            Dispatch.objects.filter(person=person, programme_year__year=values["year"])
            .select_related("person", "programme_year", "county", "station", "sending_organisation")
            .first()
        )

    def differs(self, record: Dispatch, values: dict[str, Any]) -> bool:
        """Whether the row says anything else than the export of the record would (证书等级 aside)."""
        person = record.person
        sex = values.get("sex")
        if (
            person.name != values["name"].strip()
            or (sex and sex != self.sexes[idnumber.sex(values["id_number"])])
            or self._new_phone(person, values) is not None
        ):
            return True  # a new phone is taken; a wrong name or sex is refused by update, which says why
        if (
            record.sending_organisation.name != values["sending_organisation"]
            or record.county_id != values["county"].pk
            or (
                "station" in values
                and (record.station.name if record.station else "") != (values["station"] or "")
            )
        ):
            return True
        try:
            term = self._term(values, record)
        except ValidationError:
            return True  # refused by update
        return any(getattr(record, name) != value for name, value in term.items())

    def create(self, actor: User, values: dict[str, Any]) -> None:
        self._check_scope(actor, values)
        year = self._year(values, None)
        organisation = self._organisation(actor, values)
        station = self._station(actor, values, None)
        term = self._term(values, None)
        person = self._worker(actor, values)
        phone = self._new_phone(person, values) if person is not None else None
        if person is None:
            person = person_create(
                actor=actor,
                name=values["name"],
                id_number=values["id_number"],
                county=values["county"],
                organisation=organisation,
                phone=values.get("phone") or "",
            )
        dispatch_create(
            actor=actor,
            person=person,
            programme_year=year,
            sending_organisation=organisation,
            county=values["county"],
            station=station,
            **term,
        )
        if phone is not None:
            person_update(actor=actor, person=person, data={}, phone=phone)

    def update(self, actor: User, record: Dispatch, values: dict[str, Any]) -> None:
        if not writable_dispatches(actor).filter(pk=record.pk).exists():
            raise PermissionDenied  # another county's term: out of scope before anything about it is told
        self._check_scope(actor, values)
        person = self._worker(actor, values)
        assert person is not None  # noqa: S101 - the record was found through her ID number
        term = self._term(values, record)
        if record.ended and term["status"] == Status.SERVING:
            # An older ledger read back after the term was ended on the pages: not a reason to reopen it.
            raise ValidationError(
                {
                    "status": _("该选派已于 %(day)s 结束（%(status)s），不能由台账改回在岗。")
                    % {"day": f"{record.ended_on:%Y-%m-%d}", "status": record.get_status_display()}
                }
            )
        data = {
            **term,
            "programme_year": self._year(values, record),
            "sending_organisation": self._organisation(actor, values),
            "county": values["county"],
            "station": self._station(actor, values, record),
        }
        if any(getattr(record, name) != value for name, value in data.items()):
            dispatch_update(actor=actor, dispatch=record, data=data)
        phone = self._new_phone(person, values)
        if phone is not None:
            person_update(actor=actor, person=person, data={}, phone=phone)
