"""The upload form of the ledgers page: which kind, which file."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanqu.ledgers.kinds import LedgerKind
from sanqu.ledgers.reading import MB, max_upload_bytes

ACCEPT = ".xlsx,.xls,.ods,.csv"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("台账类型"))
    file = forms.FileField(
        label=gettext_lazy("台账文件"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )

    def __init__(self, *args: Any, kinds: list[LedgerKind], titles: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["kind"])
        field.choices = [(kind.code, titles[kind.code]) for kind in kinds]
        field.error_messages["invalid_choice"] = _("请从列表中选择台账类型。")
        field.error_messages["required"] = _("请选择台账类型。")
        upload = self.fields["file"]
        upload.help_text = _(
            "Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或 CSV 文件，不超过 %(limit)s MB。"
        ) % {"limit": f"{max_upload_bytes() / MB:g}"}
        upload.error_messages["required"] = _("请选择要上传的台账文件。")
        upload.error_messages["empty"] = _("文件是空的。")
