from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "sanqu.publicity"
    label = "publicity"
    verbose_name = _("宣传与简报")

    def ready(self) -> None:
        # Signals that decouple the news column from accounts: a role's membership puts its user in
        # the Wagtail group of the role, and the review workflow exists after every migrate.
        from django.db.models.signals import post_delete, post_save

        from sanqu.accounts.models import Membership
        from sanqu.publicity import review

        post_save.connect(review.on_membership_changed, sender=Membership, dispatch_uid="publicity-groups")
        post_delete.connect(
            review.on_membership_changed, sender=Membership, dispatch_uid="publicity-groups-d"
        )
        post_migrate.connect(review.on_post_migrate, sender=self, dispatch_uid="publicity-review")

        # What a reviewer approves is fingerprinted as the public sees it (sanqu check-published).
        from wagtail.signals import page_published, page_unpublished

        from sanqu.publicity import published

        page_published.connect(published.on_page_published, dispatch_uid="publicity-fingerprint")
        page_unpublished.connect(published.on_page_unpublished, dispatch_uid="publicity-fingerprint-off")
