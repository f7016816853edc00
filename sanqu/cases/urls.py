"""Routes of case work: cases, beneficiaries, services, groups and community work.

Each part adds its own lines here; route names are prefixed by what they serve
(``case_``, ``beneficiary_``, ``service_``, ``group_``...).
"""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
