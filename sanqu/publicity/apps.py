from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "sanqu.publicity"
    label = "publicity"
    verbose_name = _("宣传与简报")
