from django.urls import path

from sanqu.training import course_views, views

urlpatterns = [
    path("", views.overview, name="training_overview"),
    path("recommend/", views.recommend, name="training_recommend"),
    path("trainees/", views.trainee_list, name="training_trainees"),
    path("trainees/<int:pk>/", views.trainee_detail, name="training_trainee"),
    path("trainees/<int:pk>/course/", views.trainee_course, name="training_trainee_course"),
    path("trainees/<int:pk>/complete/", views.trainee_completion, name="training_trainee_complete"),
    path("hours/", views.hours, name="training_hours"),
    path("courses/", course_views.course_list, name="training_courses"),
    path("courses/new/", course_views.course_new, name="training_course_new"),
    path("courses/<int:pk>/", course_views.course_detail, name="training_course"),
    path("courses/<int:pk>/edit/", course_views.course_edit, name="training_course_edit"),
    path("courses/<int:pk>/sessions/", course_views.session_new, name="training_session_new"),
    path("sessions/<int:pk>/", course_views.attendance, name="training_attendance"),
]
