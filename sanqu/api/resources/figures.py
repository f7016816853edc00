"""Figures: `/api/v1/figures/?scope=<region code>&as_of=YYYY-MM-DD`, the keys of `sanqu figures --json`.

The scopes are the dashboard's: a county officer asks for her county, the city office for the
municipality or any county in it; any other scope answers 404, as on the dashboard.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sanqu.api.base import ApiDefaults, Day
from sanqu.figures.dashboard import dashboard_scopes
from sanqu.figures.engine import FIGURE_LABELS, compute_figures
from sanqu.lib import clock
from sanqu.regions.lookup import find_region


class FigureParameters(serializers.Serializer):
    scope = serializers.RegexField(
        r"^[0-9]{2,12}$",
        max_length=12,
        required=False,
        help_text=gettext_lazy("区划代码（默认为您的第一个统计范围），例如 500000 或 500229。"),
        error_messages={"invalid": gettext_lazy("区划代码须为 2 至 12 位数字。")},
    )
    as_of = Day(required=False, help_text=gettext_lazy("统计日期 YYYY-MM-DD（默认为今天）。"))


class FiguresView(ApiDefaults, APIView):
    """主要指标：与 `sanqu figures --json` 相同的键。"""

    @extend_schema(
        parameters=[FigureParameters],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Keys: " + ", ".join(FIGURE_LABELS))
        },
    )
    def get(self, request: Request) -> Response:
        parameters = FigureParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        allowed = dashboard_scopes(request.user)
        if not allowed:
            raise exceptions.PermissionDenied(_("您的角色不能查看统计数据。"))
        code = parameters.validated_data.get("scope")
        if code is None:
            scope = allowed[0]
        else:
            scope = find_region(code)  # type: ignore[assignment]
            if scope is None or scope.pk not in {region.pk for region in allowed}:
                raise Http404  # a region outside the user's: never say whether it exists
        as_of = parameters.validated_data.get("as_of") or clock.today()
        figures: dict[str, Any] = compute_figures(scope=scope, as_of=as_of)
        return Response(figures)
