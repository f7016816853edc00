"""The back office's trainee form keeps the training rules."""

from __future__ import annotations

from django.urls import reverse

from sanqu.testing import World
from sanqu.training.models import Trainee
from sanqu.training.tests.factories import Training, attend

EDIT = "wagtailsnippets_training_trainee:edit"


def _data(trainee: Trainee, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "person": trainee.person_id,
        "programme_year": trainee.programme_year_id,
        "county": trainee.county_id,
        "workplace": trainee.workplace,
        "course": trainee.course_id or "",
        "course_name": trainee.course_name,
        "course_level": trainee.course_level,
        "hours": "" if trainee.hours is None else str(trainee.hours),
        "completed_on": "",
    }
    data.update(changes)
    return data


def test_it_refuses_completion_short_of_the_hours_in_the_back_office(
    world: World, training: Training, as_user
) -> None:
    trainee = training.chengkou_trainee
    attend(trainee, training.sessions[0])
    client = as_user("chengkou")
    response = client.post(
        reverse(EDIT, args=[trainee.pk]), _data(trainee, completed_on="2018-06-01", hours="40")
    )
    assert response.status_code == 200
    assert "已计学时 8，未达到培训班要求的 16 学时，不能结业。" in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.completed_on is None
    # Once the hours are there it saves, and the ledger columns follow the course and attendance.
    attend(trainee, training.sessions[1])
    response = client.post(
        reverse(EDIT, args=[trainee.pk]), _data(trainee, completed_on="2018-06-01", hours="1")
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.completed_on is not None and trainee.hours == 16
    assert trainee.course_name == training.course.name and trainee.course_level == "municipal"


def test_wanzhou_gets_404_on_a_chengkou_trainee_in_the_back_office(
    world: World, training: Training, as_user
) -> None:
    assert as_user("wanzhou").get(reverse(EDIT, args=[training.chengkou_trainee.pk])).status_code == 404
