"""Routes of case work: cases, beneficiaries, services, groups and community work.

Each part adds its own lines here; route names are prefixed by what they serve
(``case_``, ``beneficiary_``, ``service_``, ``group_``...).
"""

from django.urls import URLPattern, URLResolver, include, path

from sanqu.cases.views import beneficiaries as beneficiary_views
from sanqu.cases.views import cases as case_views
from sanqu.cases.views import services as service_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", case_views.caseload, name="cases"),
    path("county/", case_views.county_cases, name="case_county"),
    path("reviews/", case_views.review_queue, name="case_reviews"),
    path("open/", case_views.case_open, name="case_open"),
    path("<int:pk>/", case_views.case_detail, name="case_detail"),
    path("<int:pk>/assessment/", case_views.assessment_new, name="case_assessment"),
    path("<int:pk>/plan/", case_views.plan_new, name="case_plan"),
    path("<int:pk>/evaluation/", case_views.evaluation_new, name="case_evaluation"),
    path("<int:pk>/closure/", case_views.closure_new, name="case_closure"),
    path("<int:pk>/follow-up/", case_views.follow_up_new, name="case_follow_up"),
    path("<int:pk>/referral/", case_views.referral_new, name="case_referral"),
    path("<int:pk>/reopen/", case_views.case_reopen, name="case_reopen"),
    path("plans/<int:pk>/review/", case_views.plan_review, name="case_plan_review"),
    path("closures/<int:pk>/review/", case_views.closure_review, name="case_closure_review"),
    path("referrals/<int:pk>/answer/", case_views.referral_answer, name="case_referral_answer"),
    path("beneficiaries/", beneficiary_views.beneficiary_list, name="beneficiaries"),
    path("beneficiaries/new/", beneficiary_views.beneficiary_register_view, name="beneficiary_register"),
    path("beneficiaries/<int:pk>/", beneficiary_views.beneficiary_detail, name="beneficiary_detail"),
    path("beneficiaries/<int:pk>/unmask/", beneficiary_views.beneficiary_unmask, name="beneficiary_unmask"),
    path("beneficiaries/<int:pk>/edit/", beneficiary_views.beneficiary_edit, name="beneficiary_edit"),
    path("beneficiaries/<int:pk>/services/new/", service_views.service_create, name="service_create"),
    path("services/mine/", service_views.service_mine, name="service_mine"),
    path("", include("sanqu.cases.urls_groups")),  # groups and community activities
]
