"""The back office's building blocks: Wagtail snippet viewsets that respect scope and write through services.

Every registry viewset in the project derives from `ScopedSnippetViewSet`, which:

- lists only the records of the user's scope (`scoped_queryset`), and answers 404 for any URL
  that names a record outside it (edit, delete, history, usage, copy, inspect) — never 403, so
  nothing leaks about records elsewhere;
- builds forms from `ScopedForm`, which limits every related-record field to the scope (a 城口
  officer cannot pick 万州 as a home county), and gives the choosers the same limits;
- saves and deletes through the app's service functions (`create_record`, `update_record`,
  `delete_record`), so permission, scope, validation and the audit entry travel with every write;
  Wagtail's own log entry (the history tab) is added beside it;
- exports to Excel with sensitive columns masked unless the user may unmask, and audits exports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.log_actions import log
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import UNMASK
from sanqu.lib import idnumber

ScopedQuery = Callable[[Any], models.QuerySet[Any]]


class ScopedForm(WagtailAdminModelForm):
    """A model form whose related-record fields offer only what is in the user's scope.

    `scoped_choices` maps a field name to a function of the user returning the queryset of
    allowed choices; the same queryset validates the submitted value, so a crafted POST cannot
    pick a record the user cannot see.
    """

    scoped_choices: ClassVar[dict[str, ScopedQuery]] = {}

    def __init__(self, *args: Any, for_user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, for_user=for_user, **kwargs)
        self.user = for_user
        for name, choices in self.scoped_choices.items():
            if name in self.fields:
                self.fields[name].queryset = choices(for_user)

    def service_data(self) -> dict[str, Any]:
        """The cleaned values of the model fields the form edits (what a service receives)."""
        names = [field.name for field in self.instance._meta.concrete_fields]
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, or at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _ServiceWriteMixin:
    """Create/edit views that hand the validated form to the viewset's service call."""

    request: HttpRequest
    form: Any
    object: Any

    def form_valid(self, form: Any) -> HttpResponse:
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()  # type: ignore[attr-defined]
        except ValidationError as error:
            add_service_errors(form, error)
            self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
            return self.form_invalid(form)  # type: ignore[attr-defined]
        response = self.save_action()  # type: ignore[attr-defined]
        hook_response = self.run_after_hook()  # type: ignore[attr-defined]
        return hook_response if hook_response is not None else response


class ServiceCreateView(_ServiceWriteMixin, snippet_views.CreateView):
    create_record: Callable[..., Any] | None = None

    def save_instance(self) -> Any:
        assert self.create_record is not None  # noqa: S101 - configured by the viewset
        instance = self.create_record(form=self.form, actor=self.request.user, request=self.request)
        log(instance=instance, action="wagtail.create", user=self.request.user)
        return instance


class ServiceEditView(_ServiceWriteMixin, snippet_views.EditView):
    update_record: Callable[..., Any] | None = None

    def save_instance(self) -> Any:
        assert self.update_record is not None  # noqa: S101 - configured by the viewset
        instance = self.update_record(form=self.form, actor=self.request.user, request=self.request)
        if self.form.has_changed():
            log(instance=instance, action="wagtail.edit", user=self.request.user)
        return instance


class ServiceDeleteView(snippet_views.DeleteView):
    delete_record: Callable[..., Any] | None = None

    def delete_action(self) -> None:
        assert self.delete_record is not None  # noqa: S101 - configured by the viewset
        log(instance=self.object, action="wagtail.delete", user=self.request.user)
        self.delete_record(instance=self.object, actor=self.request.user, request=self.request)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ValidationError as error:
            from wagtail.admin import messages

            messages.error(self.request, " ".join(error.messages))
            return self.get(self.request)


class MaskedExportIndexView(snippet_views.IndexView):
    """Listing whose export masks ID numbers and phone numbers unless the user may unmask them."""

    # Export columns holding an ID number (masked unless the user may unmask).
    sensitive_export: ClassVar[tuple[str, ...]] = ()
    search_records: Callable[[models.QuerySet[Any], str], models.QuerySet[Any]] | None = None

    @property
    def unmasked(self) -> bool:
        return bool(self.request.user.has_perm(UNMASK))

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = {field: _export_value(item, field) for field in self.list_export}
        if not self.unmasked:
            for field in self.sensitive_export:
                value = row.get(field)
                row[field] = idnumber.mask(str(value)) if value else value
        return row

    def search_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.search_records is not None and self.search_query:
            return self.search_records(queryset, self.search_query)
        return super().search_queryset(queryset)

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        if self.is_export:
            audit.record(
                actor=self.request.user,
                action=AuditEntry.Action.EXPORT,
                detail={
                    "model": self.model._meta.label_lower,
                    "count": len(context["object_list"]),
                    "format": self.request.GET.get("export", ""),
                    "unmasked": bool(self.sensitive_export) and self.unmasked,
                },
                request=self.request,
            )
        return super().render_to_response(context, **response_kwargs)


def _export_value(item: Any, field: str) -> Any:
    """`a.b.c` of the item, through empty relations (None), using get_FOO_display for choices."""
    value = item
    *path, last = field.split(".")
    for name in path:
        value = getattr(value, name, None)
        if value is None:
            return None
    display = getattr(value, f"get_{last}_display", None)
    value = display() if callable(display) else getattr(value, last, None)
    return str(value) if isinstance(value, dict | list) else value


# Choosers limited to the scope.


class _ScopedChooseMixin:
    scoped_queryset: ScopedQuery | None = None
    request: HttpRequest

    def get_object_list(self) -> models.QuerySet[Any]:
        assert self.scoped_queryset is not None  # noqa: S101
        return self.scoped_queryset(self.request.user)

    def can_create(self) -> bool:
        # Records are created on their own add page, through the service, never from a chooser.
        return False


class ScopedChooseView(_ScopedChooseMixin, snippet_chooser.ChooseView):
    pass


class ScopedChooseResultsView(_ScopedChooseMixin, snippet_chooser.ChooseResultsView):
    pass


class ScopedChosenView(snippet_chooser.SnippetChosenView):
    scoped_queryset: ScopedQuery | None = None

    def get_object(self, pk: Any) -> Any:
        assert self.scoped_queryset is not None  # noqa: S101
        return self.scoped_queryset(self.request.user).get(pk=pk)


class ScopedChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    scoped_queryset: ScopedQuery | None = None
    search_records: Callable[[models.QuerySet[Any], str], models.QuerySet[Any]] | None = None

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(scoped_queryset=self.scoped_queryset, **kwargs)

    def get_urlpatterns(self) -> list[Any]:
        # No creation from the chooser, and no multiple choice (no field needs it).
        return [p for p in super().get_urlpatterns() if p.name in {"choose", "choose_results", "chosen"}]

    def _filter_kwargs(self) -> dict[str, Any]:
        if self.search_records is None:
            return {}
        return {"filter_form_class": _search_form(self.search_records)}

    @property
    def choose_view(self) -> Any:
        return self.construct_view(
            self.choose_view_class,
            icon=self.icon,
            page_title=self.page_title,
            search_tab_label=self.search_tab_label,
            creation_tab_label=self.creation_tab_label,
            **self._filter_kwargs(),
        )

    @property
    def choose_results_view(self) -> Any:
        return self.construct_view(self.choose_results_view_class, **self._filter_kwargs())


def _search_form(search: Callable[[models.QuerySet[Any], str], models.QuerySet[Any]]) -> type[forms.Form]:
    from wagtail.admin.forms.choosers import BaseFilterForm

    class SearchForm(BaseFilterForm):
        q = forms.CharField(
            label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("搜索")})
        )

        def filter(self, objects: models.QuerySet[Any]) -> models.QuerySet[Any]:
            objects = super().filter(objects)
            query = self.cleaned_data.get("q")
            if query:
                objects = search(objects, query)
                self.is_searching = True
                self.search_query = query
            return objects

    return SearchForm


class ScopedSnippetViewSet(SnippetViewSet):
    """A registry: scoped listing and URLs, scoped forms and choosers, writes through services.

    Subclasses set `model` and implement `scoped_queryset(user)`; writable registries implement
    `create_record`, `update_record` and `delete_record` by calling their app's services.
    """

    index_view_class = MaskedExportIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ServiceDeleteView
    copy_view_enabled = False
    chooser_viewset_class = ScopedChooserViewSet
    search_backend_name = None
    sensitive_export: tuple[str, ...] = ()

    def scoped_queryset(self, user: Any) -> models.QuerySet[Any]:
        raise NotImplementedError

    def search_records(self, queryset: models.QuerySet[Any], query: str) -> models.QuerySet[Any]:
        raise NotImplementedError

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Any:
        raise PermissionDenied

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Any:
        raise PermissionDenied

    def delete_record(self, *, instance: Any, actor: User, request: HttpRequest) -> None:
        raise PermissionDenied

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return self.scoped_queryset(request.user)

    @property
    def has_search(self) -> bool:
        return type(self).search_records is not ScopedSnippetViewSet.search_records

    @property
    def search_fields(self) -> list[str] | None:
        # Turns the listing's search box on; `search_records` does the searching.
        return ["pk"] if self.has_search else None

    def get_index_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_index_view_kwargs(
            sensitive_export=self.sensitive_export,
            search_records=self.search_records if self.has_search else None,
            **kwargs,
        )

    def get_add_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_add_view_kwargs(create_record=self.create_record, **kwargs)

    def get_edit_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_edit_view_kwargs(update_record=self.update_record, **kwargs)

    def get_delete_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_delete_view_kwargs(delete_record=self.delete_record, **kwargs)

    @property
    def chooser_viewset(self) -> Any:
        viewset = super().chooser_viewset
        viewset.scoped_queryset = self.scoped_queryset
        viewset.search_records = self.search_records if self.has_search else None
        return viewset

    def construct_view(self, view_class: Any, **kwargs: Any) -> Any:
        """Every view that names a record answers 404 unless the record is in the user's scope."""
        view = super().construct_view(view_class, **kwargs)

        def scoped_view(request: HttpRequest, *args: Any, **view_kwargs: Any) -> HttpResponse:
            pk = view_kwargs.get("pk")
            if pk is not None:
                try:
                    found = self.scoped_queryset(request.user).filter(pk=unquote(str(pk))).exists()
                except (ValueError, TypeError):
                    found = False
                if not found:
                    raise Http404
            return view(request, *args, **view_kwargs)

        scoped_view.__name__ = getattr(view, "__name__", "scoped_view")
        scoped_view.__dict__.update(getattr(view, "__dict__", {}))
        return scoped_view


def panels(*names: str, base_form_class: type[forms.BaseForm] = ScopedForm, **widgets: Any) -> ObjectList:
    """An edit handler of plain field panels on a scoped form; `widgets` overrides by field name."""
    return ObjectList(
        [FieldPanel(name, widget=widgets[name]) if name in widgets else FieldPanel(name) for name in names],
        base_form_class=base_form_class,
    )


def county_filter(region_lookup: str = "", *, label: Any = None) -> Any:
    """A listing filter on the county (or anything under it), offering the counties of the scope."""
    import django_filters

    from sanqu.regions.models import Region
    from sanqu.regions.selectors import regions_for

    prefix = f"{region_lookup}__" if region_lookup else ""

    def counties(request: HttpRequest | None) -> models.QuerySet[Region]:
        user = getattr(request, "user", None)
        return regions_for(user, level=Region.Level.COUNTY) if user is not None else Region.objects.none()

    def apply(queryset: models.QuerySet[Any], name: str, value: Region | None) -> models.QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(**{f"{prefix}path__startswith": value.path})

    return django_filters.ModelChoiceFilter(queryset=counties, label=label or _("区县"), method=apply)


class AuditedSnippetViewSet(ScopedSnippetViewSet):
    """A registry with no rules beyond the model's: writes go through `audited_save`/`audited_delete`.

    Subclasses give `writable_queryset(user)`, the records a user may change (their write scope).
    """

    def writable_queryset(self, user: Any) -> models.QuerySet[Any]:
        raise NotImplementedError

    def _perm(self, action: str) -> str:
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Any:
        from sanqu.accounts.services import audited_save

        return audited_save(
            actor=actor,
            instance=form.instance,
            perm=self._perm("add"),
            writable=self.writable_queryset(actor),
            request=request,
        )

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Any:
        from sanqu.accounts.services import audited_save, snapshot

        before = snapshot(self.model._default_manager.get(pk=form.instance.pk))
        return audited_save(
            actor=actor,
            instance=form.instance,
            perm=self._perm("change"),
            writable=self.writable_queryset(actor),
            before=before,
            request=request,
        )

    def delete_record(self, *, instance: Any, actor: User, request: HttpRequest) -> None:
        from sanqu.accounts.services import audited_delete

        audited_delete(
            actor=actor,
            instance=instance,
            perm=self._perm("delete"),
            writable=self.writable_queryset(actor),
            request=request,
        )
