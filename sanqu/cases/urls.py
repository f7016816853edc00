"""Routes of case work: cases, beneficiaries, services, groups and community work.

Each part adds its own lines here; route names are prefixed by what they serve
(``case_``, ``beneficiary_``, ``service_``, ``group_``...).
"""

from django.urls import URLPattern, URLResolver, path

from sanqu.cases.views import beneficiaries as beneficiary_views
from sanqu.cases.views import services as service_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("beneficiaries/", beneficiary_views.beneficiary_list, name="beneficiaries"),
    path("beneficiaries/new/", beneficiary_views.beneficiary_register_view, name="beneficiary_register"),
    path("beneficiaries/<int:pk>/", beneficiary_views.beneficiary_detail, name="beneficiary_detail"),
    path("beneficiaries/<int:pk>/unmask/", beneficiary_views.beneficiary_unmask, name="beneficiary_unmask"),
    path("beneficiaries/<int:pk>/services/new/", service_views.service_create, name="service_create"),
    path("services/mine/", service_views.service_mine, name="service_mine"),
]
