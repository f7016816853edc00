from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A social-work organisation, a sending organisation, or both."""

    class Kind(models.TextChoices):
        SOCIAL_SERVICE_AGENCY = "social_service_agency", _("社会服务机构")
        ASSOCIATION = "association", _("社会团体")
        FOUNDATION = "foundation", _("基金会")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        COLLEGE = "college", _("高校")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    social_work = models.BooleanField(
        _("社会工作组织"),
        default=True,
        help_text=_("登记的社会工作服务机构、行业协会等；高校等派出单位不计入"),
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    home_county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="organisations", verbose_name=_("所在区县")
    )
    registered_on = models.DateField(_("登记日期"))
    deregistered_on = models.DateField(_("注销日期"), null=True, blank=True)
    supervising_unit = models.CharField(_("业务主管单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("社会工作组织")
        verbose_name_plural = _("社会工作组织")
        ordering = ["home_county__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_unique_credit_code",
                violation_error_message=_("该统一社会信用代码已登记。"),
                violation_error_code="unique",  # so the form shows it beside the field
            ),
            models.UniqueConstraint(
                fields=["home_county", "name"], name="organisation_unique_name_in_county"
            ),
            models.CheckConstraint(
                condition=models.Q(deregistered_on__isnull=True)
                | models.Q(deregistered_on__gte=models.F("registered_on")),
                name="organisation_deregistered_after_registered",
                violation_error_message=_("注销日期不能早于登记日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
