from django.urls import URLPattern, path

from sanqu.incentives import views

urlpatterns: list[URLPattern] = [
    path("", views.claim_list, name="incentive_claims"),
    path("claims/new/", views.claim_create, name="incentive_claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="incentive_claim"),
    path("claims/<int:pk>/decision/", views.claim_decide, name="incentive_claim_decide"),
    path("claims/<int:pk>/payment/", views.claim_payment, name="incentive_claim_payment"),
    path(
        "claims/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="incentive_claim_evidence",
    ),
    path("policies/", views.policy_list, name="incentive_policies"),
    path("policies/<int:pk>/eligibility/", views.policy_eligibility, name="incentive_policy_eligibility"),
    path("spend/", views.spend, name="incentive_spend"),
    path("exams/", views.one_away, name="incentive_exams"),
    path("exams/new/", views.exam_record, name="incentive_exam_record"),
    path("exams/people/<int:pk>/", views.person_exams, name="incentive_person_exams"),
]
