"""Cases through the API: each worker her own caseload, the stage records nested, the stage rules applied."""

from __future__ import annotations

from sanqu.cases.models import Case


def _ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_sees_the_cases_of_their_scope_and_a_worker_only_her_own(world, casework, api):
    ours = {casework.case.pk, casework.other_worker_case.pk}
    assert _ids(api("chengkou").get("/api/v1/cases/")) == ours
    assert _ids(api("wanzhou").get("/api/v1/cases/")) == {casework.wanzhou_case.pk}
    assert _ids(api("worker").get("/api/v1/cases/")) == {casework.case.pk}
    assert _ids(api("mentor").get("/api/v1/cases/")) == {casework.case.pk}
    assert _ids(api("chengkou").get("/api/v1/cases/", {"stage": "intake"})) == {casework.other_worker_case.pk}


def test_a_case_out_of_scope_is_not_found_for_reading_or_writing(world, casework, api):
    for username, case in (("chengkou", casework.wanzhou_case), ("worker", casework.other_worker_case)):
        client = api(username)
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        response = client.post(
            f"/api/v1/cases/{case.pk}/assessments/",
            {"assessed_on": "2018-06-01", "problems_needs": "需要陪伴"},
            format="json",
        )
        assert response.status_code == 404, (username, response.content)
        assert response.json()["errors"] == {}
    assert not Case.objects.get(pk=casework.other_worker_case.pk).assessments.exists()


def test_a_case_comes_with_its_stage_and_records(world, casework, api):
    body = api("mentor").get(f"/api/v1/cases/{casework.case.pk}/").json()
    assert body["stage"] == "intervention" and body["number"] == casework.case.number
    assert body["intake"]["source"] == "outreach" and len(body["assessments"]) == 1
    assert body["plans"][0]["status"] == "approved" and body["plans"][0]["goals"][0]["goal"] == "减轻孤独感"
    assert body["evaluations"] == [] and body["closures"] == []


def test_the_stages_follow_their_rules_through_the_api(world, casework, api):
    worker, mentor = api("worker"), api("mentor")
    opened = worker.post(
        "/api/v1/cases/",
        {
            "beneficiary": casework.township.pk,
            "opened_on": "2018-06-01",
            "source": "walk_in",
            "presenting_problem": "独居",
            "risk_flags": ["no_carer"],
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert case["stage"] == "intake" and case["intake"]["risk_flags"] == ["no_carer"]
    url = f"/api/v1/cases/{case['id']}"
    plan = {"drafted_on": "2018-06-10", "goals": [{"goal": "减轻孤独感", "objective": "每周参加活动1次"}]}

    early = worker.post(f"{url}/plans/", plan, format="json")
    assert early.status_code == 400
    assert "先预估，后计划" in early.json()["errors"]["non_field_errors"][0]
    assert not Case.objects.get(pk=case["id"]).plans.exists()

    assessed = worker.post(
        f"{url}/assessments/", {"assessed_on": "2018-06-05", "problems_needs": "孤独"}, format="json"
    )
    assert assessed.status_code == 201 and assessed.json()["stage"] == "assessment"
    # The county officer sees the case but does not write its records.
    officer = api("chengkou").post(
        f"{url}/assessments/", {"assessed_on": "2018-06-05", "problems_needs": "孤独"}, format="json"
    )
    assert officer.status_code == 403
    planned = worker.post(f"{url}/plans/", plan, format="json")
    assert planned.status_code == 201 and planned.json()["stage"] == "plan"
    assert worker.post(f"{url}/plan-review/", {"approve": True}, format="json").status_code == 403
    returned = mentor.post(f"{url}/plan-review/", {"approve": False}, format="json")
    assert returned.status_code == 400 and list(returned.json()["errors"]) == ["comment"]
    approved = mentor.post(f"{url}/plan-review/", {"approve": True}, format="json")
    assert approved.status_code == 200 and approved.json()["stage"] == "intervention"

    closing = {"closed_on": "2018-07-05", "reason": "goal_met", "summary": "目标达成"}
    unevaluated = worker.post(f"{url}/closures/", closing, format="json")
    assert (
        unevaluated.status_code == 400
        and "尚未完成评估" in unevaluated.json()["errors"]["non_field_errors"][0]
    )
    goal = approved.json()["plans"][0]["goals"][0]["id"]
    evaluated = worker.post(
        f"{url}/evaluations/",
        {"evaluated_on": "2018-07-01", "attainments": [{"goal": goal, "level": "met"}]},
        format="json",
    )
    assert evaluated.status_code == 201 and evaluated.json()["stage"] == "evaluation"
    submitted = worker.post(f"{url}/closures/", closing, format="json")
    assert submitted.status_code == 201 and submitted.json()["closures"][0]["status"] == "submitted"
    closed = mentor.post(f"{url}/closure-review/", {"approve": True}, format="json")
    assert closed.status_code == 200
    assert closed.json()["stage"] == "closed" and closed.json()["status"] == "closed"
    after = worker.post(
        f"{url}/assessments/", {"assessed_on": "2018-07-06", "problems_needs": "x"}, format="json"
    )
    assert after.status_code == 400 and "已结案" in after.json()["errors"]["non_field_errors"][0]
    nothing = mentor.post(f"{url}/closure-review/", {"approve": True}, format="json")
    assert nothing.status_code == 400


def test_a_case_is_opened_only_for_a_beneficiary_in_sight(world, casework, api):
    response = api("worker").post(
        "/api/v1/cases/",
        {
            "beneficiary": casework.wanzhou.pk,
            "opened_on": "2018-06-01",
            "source": "walk_in",
            "presenting_problem": "x",
        },
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["beneficiary"]
    assert (
        api("chengkou")
        .post(
            "/api/v1/cases/",
            {
                "beneficiary": casework.township.pk,
                "opened_on": "2018-06-01",
                "source": "walk_in",
                "presenting_problem": "x",
            },
            format="json",
        )
        .status_code
        == 403
    )  # only a worker opens a case
