from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=100,
        help_text=_("写明令牌给哪个系统或工具使用，例如“区县业务系统对接”。"),
        error_messages={"required": _("请填写令牌的用途。")},
    )
