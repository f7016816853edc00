from django.urls import path

from sanqu.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_new, name="new"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/discard/", views.bulletin_discard, name="discard"),
    path("<int:pk>/issue/", views.bulletin_issue_view, name="issue"),
    path("<int:pk>/send/", views.bulletin_send_view, name="send"),
    path("<int:pk>/deliveries/", views.bulletin_deliveries, name="deliveries"),
    path("<int:pk>/pdf/", views.bulletin_pdf, name="pdf"),
    path("recipients/", views.recipient_list, name="recipients"),
    path("recipients/new/", views.recipient_new, name="recipient_new"),
    path("recipients/<int:pk>/edit/", views.recipient_edit, name="recipient_edit"),
    path("recipients/<int:pk>/toggle/", views.recipient_toggle, name="recipient_toggle"),
]
