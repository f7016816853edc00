"""Two-step review of the news column on Wagtail's workflows.

An editor (role `editor`) writes news items under 新闻中心 and submits them; the workflow 新闻审核 has
one task for the reviewers (role `reviewer`), who approve (Wagtail then publishes the revision, or
schedules it when it has a go-live time) or request changes with a comment. An editor holds no
publish permission, so nothing she writes is public until a reviewer approves it.

Wagtail asks page and image permissions of Django groups. The roles map to groups
(`sanqu.accounts.roles.WAGTAIL_GROUPS`); `sync_groups` keeps a user's groups in step with her
memberships, and `ensure_news_review` creates the groups, the workflow and the permissions on every
新闻中心 page. It runs after `migrate`, when a 新闻中心 page is created in the admin, and in the demo.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import WAGTAIL_GROUPS, Role

WORKFLOW_NAME = "新闻审核"
TASK_NAME = "信息审核"

# Page permissions on 新闻中心 and everything under it.
PAGE_PERMISSIONS = {
    Role.EDITOR: ["add_page", "change_page"],
    Role.REVIEWER: ["change_page", "publish_page", "lock_page", "unlock_page"],
}
# What Wagtail's own migrations create, and Sanqu removes (see remove_wagtail_defaults).
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"
# Lead images: both roles upload and choose them.
IMAGE_PERMISSIONS = ["add_image", "choose_image"]


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=WAGTAIL_GROUPS[role])
    return group


def news_workflow() -> Workflow:
    """The workflow 新闻审核 with its one task for the reviewers (created the first time).

    A database set up before the task refused self-approval has a plain group approval task of the
    same name: it is retired (kept for its history, no longer active) and the new task takes its place.
    """
    from sanqu.publicity.models import NewsReviewTask

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = NewsReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = NewsReviewTask.objects.create(name=TASK_NAME)
        task.groups.set([role_group(Role.REVIEWER)])
    for old in WorkflowTask.objects.filter(workflow=workflow).exclude(task=task):
        Task.objects.filter(pk=old.task_id).update(active=False)
        old.delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


def remove_wagtail_defaults() -> None:
    """Wagtail's own starter groups (Editors, Moderators) and workflow (Moderators approval).

    Wagtail's migrations create them with rights on the whole page tree; Sanqu gives rights through
    the role groups only, so they go, unless someone has started using them (users in a group, a
    workflow or task with history), in which case they stay for the city office to decide.
    """
    for name in WAGTAIL_DEFAULT_GROUPS:
        group = Group.objects.filter(name=name).first()
        if group is not None and not group.user_set.exists():
            group.delete()
    workflow = Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).first()
    if workflow is not None and not WorkflowState.objects.filter(workflow=workflow).exists():
        workflow.delete()
    for task in Task.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW):
        if not task.task_states.exists() and not task.workflow_tasks.exists():
            task.delete()


@transaction.atomic
def ensure_news_review(news_index: Page | None = None) -> Workflow:
    """Groups, image permissions and the workflow; page permissions and the workflow on 新闻中心.

    With `news_index`, only that page is set up; without, every 新闻中心 page there is.
    """
    from sanqu.publicity.models import NewsIndexPage, PublicHomePage

    remove_wagtail_defaults()
    workflow = news_workflow()
    root_collection = Collection.get_first_root_node()
    image_perms = list(
        Permission.objects.filter(content_type__app_label="wagtailimages", codename__in=IMAGE_PERMISSIONS)
    )
    pages = [news_index] if news_index is not None else list(NewsIndexPage.objects.all())
    # The home page's own texts are public too: a change to them goes through the same review, and the
    # reviewers hold on it what Wagtail needs to publish what they approve.
    homes = list(PublicHomePage.objects.all())
    reviewer_perms = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS[Role.REVIEWER]
    )
    for home in homes:
        WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
        for permission in reviewer_perms:
            GroupPagePermission.objects.get_or_create(
                group=role_group(Role.REVIEWER), page=home, permission=permission
            )
    for role, codenames in PAGE_PERMISSIONS.items():
        group = role_group(role)
        if root_collection is not None:
            for permission in image_perms:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
        page_perms = Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames)
        for page in pages:
            for permission in page_perms:
                GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    for page in pages:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def sync_groups(user: User) -> None:
    """Put the user in the group of each role she holds, and out of the others."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role in WAGTAIL_GROUPS:
        group = role_group(role)
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)


def on_membership_changed(*, sender: Any, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    sync_groups(instance.user)


def on_post_migrate(**kwargs: Any) -> None:
    ensure_news_review()
