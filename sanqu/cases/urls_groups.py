"""Routes of group work and community activities (included from `sanqu.cases.urls`)."""

from django.urls import path

from sanqu.cases.views import community, groups

urlpatterns = [
    path("groups/", groups.group_list_view, name="groups"),
    path("groups/new/", groups.group_create_view, name="group_create"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/", groups.group_member_add_view, name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:member_pk>/leave/",
        groups.group_member_remove_view,
        name="group_member_remove",
    ),
    path("groups/<int:pk>/sessions/new/", groups.group_session_create, name="group_session_create"),
    path("groups/<int:pk>/close/", groups.group_close_view, name="group_close"),
    path("community/", community.community_list, name="community"),
    path("community/new/", community.community_create, name="community_create"),
    path("community/<int:pk>/", community.community_detail, name="community_detail"),
]
