from django.urls import path

from sanqu.workforce import team_views as views

urlpatterns = [
    path("", views.teams, name="teams"),
    path("new/", views.team_new, name="team_new"),
    path("<int:pk>/", views.team_detail, name="team_detail"),
    path("<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("<int:pk>/members/", views.team_member_new, name="team_member_new"),
    path("<int:pk>/members/<int:member_pk>/leave/", views.team_member_leave, name="team_member_leave"),
    path("supervision/", views.sessions, name="supervision_sessions"),
    path("supervision/new/", views.session_new, name="supervision_session_new"),
    path("supervision/<int:pk>/", views.session_detail, name="supervision_session_detail"),
    path("supervision/<int:pk>/follow-ups/", views.session_follow_up_new, name="supervision_follow_up_new"),
    path("supervision/follow-ups/", views.follow_ups, name="supervision_follow_ups"),
    path(
        "supervision/follow-ups/<int:pk>/done/", views.follow_up_complete, name="supervision_follow_up_done"
    ),
]
