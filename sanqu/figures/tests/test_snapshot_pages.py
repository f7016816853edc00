"""Snapshot pages and the `sanqu snapshot` command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from sanqu.figures.models import FigureSnapshot
from sanqu.figures.snapshots import take_snapshot
from sanqu.figures.tests.factories import D
from sanqu.figures.tests.test_snapshots import People, build_people, municipal
from sanqu.workforce.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None) -> People:
    return build_people()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_it_lists_the_snapshots_in_scope(people: People) -> None:
    theirs = municipal(people)
    mine = take_snapshot(actor=people.chengkou, scope=people.programme.chengkou, as_of=D, reason="manual")
    page = client_for(people.chengkou).get(reverse("snapshots"))
    assert page.status_code == 200
    assert reverse("snapshot_detail", args=[mine.pk]) in page.content.decode()
    assert reverse("snapshot_detail", args=[theirs.pk]) not in page.content.decode()
    assert "冻结当前数据" in page.content.decode()
    leader = client_for(people.leader).get(reverse("snapshots")).content.decode()
    assert reverse("snapshot_detail", args=[theirs.pk]) in leader
    assert "冻结当前数据" not in leader


def test_it_refuses_the_anonymous_and_other_roles(people: People) -> None:
    assert Client().get(reverse("snapshots")).status_code == 302
    assert client_for(people.leader).get(reverse("snapshot_create")).status_code == 403
    assert client_for(people.city).post(reverse("snapshots")).status_code == 405


def test_it_freezes_the_current_data_from_the_form(people: People) -> None:
    client = client_for(people.chengkou)
    form = client.get(reverse("snapshot_create")).content.decode()
    assert "城口县（500229）" in form
    assert "重庆市（500000）" not in form
    response = client.post(
        reverse("snapshot_create"),
        {"scope": people.programme.chengkou.pk, "as_of": "2014-12-31", "reason": "year_end", "note": "年终"},
    )
    made = FigureSnapshot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("snapshot_detail", args=[made.pk])
    assert (made.scope, made.as_of, made.taken_by) == (people.programme.chengkou, D, people.chengkou)
    refused = client.post(
        reverse("snapshot_create"),
        {"scope": people.programme.chongqing.pk, "as_of": "2014-12-31", "reason": "year_end"},
    )
    assert refused.status_code == 200
    assert "统计范围" in refused.content.decode()
    future = client.post(
        reverse("snapshot_create"),
        {"scope": people.programme.chengkou.pk, "as_of": "2999-01-01", "reason": "manual"},
    )
    assert "统计日期不能晚于今天" in future.content.decode()
    assert FigureSnapshot.objects.count() == 1


def test_it_shows_the_frozen_figures_and_the_comparison(people: People) -> None:
    snapshot = municipal(people)
    client = client_for(people.leader)
    page = client.get(reverse("snapshot_detail", args=[snapshot.pk])).content.decode()
    assert "累计选派社工（人次）" in page
    assert "留守儿童" in page  # a dict figure, expanded
    assert reverse("snapshot_comparison", args=[snapshot.pk]) in page
    same = client.get(reverse("snapshot_comparison", args=[snapshot.pk]), headers={"HX-Request": "true"})
    assert "与冻结时完全一致" in same.content.decode()
    assert "<html" not in same.content.decode()

    certificate = Certificate.objects.get(person__name="卫十三")
    certificate_id = certificate.pk
    certificate.delete()
    changed = client.get(reverse("snapshot_comparison", args=[snapshot.pk])).content.decode()
    assert "<html" in changed
    assert "持证社会工作者（人）" in changed
    assert "<del>4</del>" in changed and "<ins>3</ins>" in changed
    listing = reverse("snapshot_changes", args=[snapshot.pk, "certificates", "deleted"])
    assert listing in changed
    records = client.get(listing).content.decode()
    assert f"#{certificate_id}" in records


def test_it_answers_404_out_of_scope(people: People) -> None:
    theirs = municipal(people)
    mine = take_snapshot(actor=people.chengkou, scope=people.programme.chengkou, as_of=D, reason="manual")
    chengkou, wanzhou = client_for(people.chengkou), client_for(people.wanzhou)
    assert chengkou.get(reverse("snapshot_detail", args=[theirs.pk])).status_code == 404
    assert chengkou.get(reverse("snapshot_comparison", args=[theirs.pk])).status_code == 404
    assert wanzhou.get(reverse("snapshot_detail", args=[mine.pk])).status_code == 404
    assert wanzhou.get(reverse("snapshot_changes", args=[mine.pk, "dispatches", "added"])).status_code == 404
    assert chengkou.get(reverse("snapshot_changes", args=[mine.pk, "nothing", "added"])).status_code == 404


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("snapshot", *args, stdout=out)
    return out.getvalue()


def test_the_command_takes_and_compares_a_snapshot(people: People) -> None:
    output = run("--scope", "500000", "--as-of", "2014-12-31", "--reason", "发布报告")
    made = FigureSnapshot.objects.get()
    assert made.reason == FigureSnapshot.Reason.REPORT and made.taken_by is None
    assert f"已冻结快照 #{made.pk}：重庆市（500000）截至 2014-12-31，" in output
    assert "个数字" in output
    assert "完全一致" in run("--compare", str(made.pk))
    Certificate.objects.get(person__name="卫十三").delete()
    Certificate.objects.create(
        person=Certificate.objects.first().person,  # type: ignore[union-attr]
        county=people.programme.chengkou,
        obtained_on=dt.date(2014, 6, 1),
        level=Certificate.Level.SENIOR,
    )
    compared = run("--compare", str(made.pk))
    # 郑九 already counted: the total stays, the levels move.
    assert "2 个数字有变化" in compared
    assert "持证社会工作者（按等级，人） · 助理社会工作师：4 → 3" in compared
    assert "持证社会工作者（按等级，人） · 高级社会工作师：0 → 1" in compared
    assert "职业水平证书：" in compared
    assert "新增 1：" in compared and "补录" in compared
    assert "已删除 1：" in compared
    with pytest.raises(CommandError, match="找不到快照"):
        run("--compare", "999")
    with pytest.raises(CommandError, match="日期"):
        run("--scope", "500000", "--as-of", "2014-02-30")
