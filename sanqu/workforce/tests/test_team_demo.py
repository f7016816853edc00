"""The demo's teams and sessions (sanqu.demo.teams) obey the rules the services enforce."""

from __future__ import annotations

import pytest

from sanqu.cases.tests.case_factories import in_intervention
from sanqu.demo.teams import build_teams
from sanqu.testing import World, make_person
from sanqu.workforce.models import Certificate, SupervisionFollowUp, SupervisionSession, Team, TeamMember
from sanqu.workforce.team_services import _check_member, _check_team
from sanqu.workforce.tests.team_factories import TODAY, serve, worker_case


@pytest.fixture(autouse=True)
def today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def test_the_workers_team_holds_her_and_her_supervisor_and_every_record_keeps_the_rules(world: World) -> None:
    serve(world)
    local = make_person("赵本土", world.chengkou)
    Certificate.objects.create(
        person=local, level="assistant", obtained_on=TODAY.replace(year=2016), county=world.chengkou
    )
    worker_case(world)
    in_intervention(world)
    build_teams(worker=world.worker_person, mentor=world.mentor_person)

    team = Team.objects.get(station=world.station)
    roles = {member.person: member.role for member in team.members.all()}
    assert roles == {world.mentor_person: "supervisor", world.worker_person: "dispatched", local: "local"}
    for checked in Team.objects.all():
        _check_team(checked)
    for member in TeamMember.objects.select_related("team", "person"):
        _check_member(member, member.team)

    sessions = SupervisionSession.objects.all()
    assert sessions.exists()
    for session in sessions:
        assert list(session.supervisees.all()) == [world.worker_person]
        assert session.held_on <= TODAY
        assert all(
            case.worker == world.worker_person and case.opened_on <= session.held_on
            for case in session.cases.all()
        )
        for follow_up in session.follow_ups.all():
            assert follow_up.due_on >= session.held_on
            assert follow_up.done_on is None or session.held_on <= follow_up.done_on <= TODAY
    assert SupervisionFollowUp.objects.filter(done_on__isnull=False).exists()
    assert SupervisionFollowUp.objects.filter(done_on__isnull=True).exists()
    assert SupervisionSession.objects.filter(cases__isnull=False).exists()
