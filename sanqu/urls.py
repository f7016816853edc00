from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sanqu.workbench.urls")),
    path("accounts/", include("sanqu.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", include("sanqu.workforce.urls")),
    path("dispatches/", include("sanqu.workforce.dispatch_urls")),
    path("teams/", include("sanqu.workforce.team_urls")),
    path("volunteers/", include("sanqu.volunteers.urls")),
    path("training/", include("sanqu.training.urls")),
    path("incentives/", include("sanqu.incentives.urls")),
    path("cases/", include("sanqu.cases.urls")),
    path("projects/", include("sanqu.projects.urls")),
    path("figures/", include("sanqu.figures.urls")),
    path("ledgers/", include("sanqu.ledgers.urls")),
    path("bulletins/", include("sanqu.bulletins.urls")),
    path("api/", include("sanqu.api.urls")),  # the REST API (v1), its token page and docs; JSON 404 below
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree (the public news column) is served from the site root, last.
urlpatterns += [
    path("site/bulletins/", include("sanqu.bulletins.public_urls")),  # the public archive of bulletins
    path("site/", include(wagtail_urls)),
]

# A request that fails while the database is unreachable gets 503 and a page saying so (not a 500).
handler500 = "sanqu.workbench.errors.request_failed"
