"""/api/…: version 1 of the API, the token page and the docs; any other path is a JSON 404."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, re_path
from rest_framework.routers import SimpleRouter

from sanqu.api import views
from sanqu.api.errors import not_found
from sanqu.api.resources.beneficiaries import BeneficiaryViewSet
from sanqu.api.resources.cases import CaseViewSet
from sanqu.api.resources.dispatches import DispatchViewSet
from sanqu.api.resources.figures import FiguresView
from sanqu.api.resources.groups import GroupViewSet
from sanqu.api.resources.organisations import OrganisationViewSet
from sanqu.api.resources.people import PersonViewSet
from sanqu.api.resources.projects import ProjectViewSet, ReportViewSet
from sanqu.api.resources.regions import RegionViewSet, StationViewSet
from sanqu.api.resources.services import ServiceRecordViewSet

app_name = "api"

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("stations", StationViewSet, basename="station")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("persons", PersonViewSet, basename="person")
router.register("dispatches", DispatchViewSet, basename="dispatch")
router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")
router.register("cases", CaseViewSet, basename="case")
router.register("service-records", ServiceRecordViewSet, basename="service-record")
router.register("groups", GroupViewSet, basename="group")
router.register("projects", ProjectViewSet, basename="project")
router.register("reports", ReportViewSet, basename="report")

v1: list[URLPattern | URLResolver] = [
    path("token/", views.ObtainTokenView.as_view(), name="token"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("figures/", FiguresView.as_view(), name="figures"),
    *router.urls,
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(v1)),
    re_path(r"^", not_found),
]
