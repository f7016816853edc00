from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.regions.names import short_name


class Region(models.Model):
    """A unit of the administrative division tree: municipality → county → township → village.

    `path` is the code prefix shared by the region and everything under it ("50" for the
    municipality, the 6-digit code for a county, the 9- or 12-digit code below), so a subtree is
    one indexed `startswith` query.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        COUNTY = 2, _("区县")
        TOWNSHIP = 3, _("乡镇街道")
        VILLAGE = 4, _("村社区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True, db_index=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(_("代码前缀"), max_length=12, unique=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        # The counties (or townships) under a region: `level = …` and `path LIKE '5002%'` — scope
        # filters, the figures' receiving counties, the region pickers.
        indexes = [models.Index(fields=["level", "path"], name="region_level_path_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = self.path_for(self.code, self.level)
        if not self.short_name:
            self.short_name = short_name(self.name) if self.level == self.Level.COUNTY else self.name
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def path_for(code: str, level: int) -> str:
        if level == Region.Level.PROVINCE:
            return code[:2]
        if level == Region.Level.COUNTY:
            return code[:6]
        return code

    def contains(self, other: Region) -> bool:
        return other.path.startswith(self.path)

    def subtree_q(self, lookup: str) -> models.Q:
        """Records whose region (reached by `lookup`, e.g. "county") is this region or under it.

        The regions are chosen by path in a subquery on the small region table and the records
        matched by region id, so an index that starts with the region column serves the records; a
        join on the path prefix reads the records first and tests each one's region after.
        """
        return models.Q(**{f"{lookup}__in": Region.objects.filter(path__startswith=self.path).values("pk")})

    @property
    def full_name(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None and node.level >= Region.Level.COUNTY:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class RegionCode(models.Model):
    """A code or name a region had before (开县 500234 → 开州区 500154 in 2016).

    History is kept, never rewritten: records keep pointing at the region, and an old code on an
    ID card, a ledger or a command line still finds it.
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="former_codes", verbose_name=_("现区划")
    )
    code = models.CharField(_("原区划代码"), max_length=12, unique=True)
    name = models.CharField(_("原名称"), max_length=100)
    valid_until = models.DateField(_("停用日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("区划代码沿革")
        verbose_name_plural = _("区划代码沿革")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} {self.code} → {self.region.name} {self.region.code}"


class Station(models.Model):
    """A village or community social-work room, a township station, or a development base."""

    class Kind(models.TextChoices):
        ROOM = "room", _("村(社区)社会工作室")
        STATION = "station", _("乡镇(街道)社会工作站")
        BASE = "base", _("社会工作发展基地")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ROOM)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="stations", verbose_name=_("所在区划")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("运营机构"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opened_on = models.DateField(_("建立日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("社会工作站(室)")
        verbose_name_plural = _("社会工作站(室)")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="station_unique_name_in_region"),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(opened_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="station_closed_after_opened",
                violation_error_message=_("撤销日期不能早于建立日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
