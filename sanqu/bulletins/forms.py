"""Forms of the bulletin pages: a draft (texts, figures panel, chosen news in order) and a recipient."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.bulletins.models import DEFAULT_ISSUER, DEFAULT_MASTHEAD, Recipient
from sanqu.bulletins.services import MAX_ITEMS
from sanqu.cases.forms.groups import DATE
from sanqu.publicity.models import ArticlePage
from sanqu.regions.models import Region

# How many of the latest news items the compose page offers (besides those already chosen).
NEWS_OFFERED = 60


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.title


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("本期标题"), max_length=100, help_text=_("例如：2018年上半年工作动态"))
    masthead = forms.CharField(label=_("报头"), max_length=40, initial=DEFAULT_MASTHEAD)
    issuer = forms.CharField(label=_("编发单位"), max_length=60, initial=DEFAULT_ISSUER)
    foreword = forms.CharField(
        label=_("编者按"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("印在报头下方，可不填"),
    )
    scope = forms.ModelChoiceField(label=_("数据范围"), queryset=Region.objects.none())
    as_of = forms.DateField(label=_("数据截至"), widget=DATE, help_text=_("签发时按此日期冻结数据"))
    articles = ArticleChoiceField(
        label=_("本期稿件"),
        queryset=ArticlePage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("从已发布的新闻中选择，最多 %(n)s 篇") % {"n": MAX_ITEMS},
    )

    def __init__(
        self,
        *args: Any,
        scopes: QuerySet[Region],
        news: QuerySet[ArticlePage],
        chosen: list[ArticlePage] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        chosen = chosen or []
        self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]
        offered = list(news[:NEWS_OFFERED])
        offered += [a for a in chosen if a.pk not in {o.pk for o in offered}]
        self.fields["articles"].queryset = news.filter(pk__in=[a.pk for a in offered])  # type: ignore[attr-defined]
        position = {article.pk: index for index, article in enumerate(chosen, start=1)}
        self.news = offered
        self.order_names: list[str] = []
        for article in offered:
            name = f"order_{article.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("顺序"),
                required=False,
                min_value=1,
                max_value=99,
                initial=position.get(article.pk),
                widget=forms.NumberInput(attrs={"class": "order-input", "inputmode": "numeric"}),
            )
            self.order_names.append(name)

    def rows(self) -> list[dict[str, Any]]:
        """One row per offered article: the article, its checkbox and its order field."""
        boxes = {str(box.data["value"]): box for box in self["articles"]}
        return [
            {"article": article, "box": boxes.get(str(article.pk)), "order": self[f"order_{article.pk}"]}
            for article in self.news
        ]

    def ordered_articles(self) -> list[ArticlePage]:
        """The chosen articles by their order numbers; without one, in the list's order (newest first)."""
        listed = {article.pk: index for index, article in enumerate(self.news)}
        chosen = list(self.cleaned_data.get("articles") or [])
        return sorted(
            chosen,
            key=lambda a: (self.cleaned_data.get(f"order_{a.pk}") or 1000, listed.get(a.pk, 0)),
        )

    def draft_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "masthead", "issuer", "foreword", "scope", "as_of")
        }


class RecipientForm(forms.ModelForm):
    class Meta:
        model = Recipient
        fields = ["department", "email", "kind", "position", "active"]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {"kind": _("印在简报末尾的“报：”“送：”“发：”行")}
