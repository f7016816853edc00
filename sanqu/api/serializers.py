"""The token endpoint's request and answer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150, label=_("账号"))
    password = serializers.CharField(max_length=4096, trim_whitespace=False, label=_("密码"))
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        label=_("用途"),
        help_text=_("令牌的用途，例如对接的系统"),
    )


class TokenIssued(serializers.Serializer):
    token = serializers.CharField(help_text=_("令牌：只显示这一次，请妥善保存"))
    prefix = serializers.CharField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()
