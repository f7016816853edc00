from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanqu.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.core import checks

        from sanqu.accounts import audit_integrity, middleware, signals

        checks.register(audit_integrity.check_retention)

        auth_signals.user_logged_in.connect(signals.on_logged_in, dispatch_uid="sanqu_audit_login")
        auth_signals.user_logged_in.connect(middleware.record_sign_in, dispatch_uid="sanqu_idle_sign_in")
        auth_signals.user_logged_out.connect(signals.on_logged_out, dispatch_uid="sanqu_audit_logout")
        auth_signals.user_login_failed.connect(
            signals.on_login_failed, dispatch_uid="sanqu_audit_login_failed"
        )
