"""Forms: an exam result, a claim with its evidence, the decision, the payment, a policy's eligibility.

Forms normalise input; the rules live in the services, whose refusals come back onto the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, TEXT
from sanqu.incentives.models import ClaimEvidence, ExamAttempt, IncentivePolicy
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate, Person

YES_NO = [("1", _("合格")), ("0", _("不合格"))]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.county.name}，{obj.id_number_masked}）"


class ExamAttemptForm(forms.Form):
    person = PersonChoiceField(label=_("考生"), queryset=Person.objects.none())
    county = forms.ModelChoiceField(label=_("报考时所在区县"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("考试年度"), min_value=1900, max_value=2999)
    subject = forms.ChoiceField(
        label=_("科目"), choices=ExamAttempt.Subject.choices, widget=forms.RadioSelect
    )
    score = forms.DecimalField(
        label=_("成绩"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        help_text=_("评审没有分数，留空"),
    )
    passed = forms.TypedChoiceField(
        label=_("结果"), choices=YES_NO, coerce=lambda value: value == "1", widget=forms.RadioSelect
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], counties: QuerySet[Region], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]


class PolicyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        until = f"{obj.effective_until:%Y-%m-%d}" if obj.effective_until else ""
        return f"{obj.name}（{obj.get_kind_display()}，{obj.effective_from:%Y-%m-%d}–{until}）"


class CertificateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        number = f" · {obj.number}" if obj.number else ""
        return f"{obj.get_level_display()}{number} · {obj.obtained_on:%Y-%m-%d}"


class AttemptChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        result = _("合格") if obj.passed else _("不合格")
        return f"{obj.year} {obj.get_subject_display()}（{result}）"


class ClaimForm(forms.Form):
    policy = PolicyChoiceField(label=_("激励政策"), queryset=IncentivePolicy.objects.none())
    certificate = CertificateChoiceField(label=_("证书"), queryset=Certificate.objects.none())
    exam_attempts = AttemptChoiceField(
        label=_("报销的考试科目"),
        queryset=ExamAttempt.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("考试费用报销时选择"),
    )
    amount = forms.DecimalField(
        label=_("收据金额(元)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("考试费用报销时填写；其他类别按政策标准发放"),
    )
    claimed_on = forms.DateField(label=_("申领日期"), widget=DATE)
    certificate_scan = forms.FileField(label=_("证书扫描件"), help_text=_("PDF、JPEG 或 PNG，不超过 10 MB"))
    receipt = forms.FileField(label=_("缴费收据/发票"), required=False, help_text=_("考试费用报销时必须上传"))

    def __init__(
        self,
        *args: Any,
        policies: QuerySet[IncentivePolicy],
        certificates: QuerySet[Certificate],
        attempts: QuerySet[ExamAttempt],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies  # type: ignore[attr-defined]
        self.fields["certificate"].queryset = certificates  # type: ignore[attr-defined]
        self.fields["exam_attempts"].queryset = attempts  # type: ignore[attr-defined]

    def evidence(self) -> list[tuple[str, Any]]:
        files: list[tuple[str, Any]] = [
            (ClaimEvidence.Kind.CERTIFICATE_SCAN, self.cleaned_data["certificate_scan"])
        ]
        if self.cleaned_data.get("receipt"):
            files.append((ClaimEvidence.Kind.RECEIPT, self.cleaned_data["receipt"]))
        return files


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("批准")), ("refuse", _("不批准"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审核意见"), widget=TEXT, required=False, max_length=1000, help_text=_("不批准时必须填写理由")
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE)
    payment_reference = forms.CharField(label=_("支付凭证号"), max_length=60)


class EligibilityForm(forms.Form):
    """Which levels the policy covers, each with its amount, and whether the certificate must be new."""

    certificate_in_force = forms.BooleanField(label=_("证书须在政策有效期内取得"), required=False)

    def __init__(self, *args: Any, policy: IncentivePolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = list(Certificate.Level.choices)
        for level, label in self.levels:
            self.fields[f"covers_{level}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"amount_{level}"] = forms.DecimalField(
                label=_("%(level)s标准(元)") % {"level": label},
                max_digits=10,
                decimal_places=2,
                min_value=Decimal("0.01"),
                required=False,
                help_text=_("留空则按政策统一标准"),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"covers_{level}"], self[f"amount_{level}"]) for level, _label in self.levels]

    def rates(self) -> dict[str, Decimal | None]:
        return {
            level: self.cleaned_data.get(f"amount_{level}")
            for level, _label in self.levels
            if self.cleaned_data.get(f"covers_{level}")
        }
