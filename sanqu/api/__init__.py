"""The REST API (`/api/v1/`): the same services, scoping, masking and audit as the workbench.

Layout: `models.py` + `tokens.py` (tokens: made once, expire, revoked; staff roles make theirs on the
page /api/v1/tokens/ while signed in), `authentication.py` (`Authorization: Token <key>`),
`throttling.py`, `errors.py` (every 4xx as `{"detail", "errors"}`, the 413 body limit),
`base.py` (the shape of a resource), `resources/<name>.py` (one resource each), `schema.py`
(the error answers in the OpenAPI schema), `urls.py` (the router), `views.py` (token endpoint,
token page, schema and Swagger UI).

How to add a resource (e.g. beneficiaries):

1. Create `sanqu/api/resources/beneficiaries.py` with
   - a read serializer (a `ModelSerializer` with the fields to show; regions as codes through
     `RegionCodeField(read_only=True)`; sensitive fields masked unless the viewset's context says
     `unmask`, as `resources/people.py` does);
   - if it writes, a plain `Serializer` for the request (`*Write`): `Day()` for dates,
     `RegionCodeField(level=...)` for regions, `ScopedRelatedField(selector=<app selector>)` for
     other records (found only in the caller's scope), `max_length` on every text;
   - a viewset `class BeneficiaryViewSet(CreateRecord, UpdateRecord, ScopedViewSet)` (mix in only
     the writes that have a service) with `selector = staticmethod(beneficiaries_for)` (the app's
     scoped `*_for(user)` selector: never a bare manager), `serializer_class`,
     `write_serializer_class`, `region_field` (lookup to a Region for `?region=`), `date_field`,
     `status_field` with `filter_class = status_filters(Model.Status.choices)` (or a subclass of
     `ListFilters` for other filters, applied in `apply_filters`), and `create_record`,
     `update_record`, `delete_record` calling the app's service functions with
     `actor=self.actor, request=self.request._request`. Service ValidationErrors become 400 field
     errors and PermissionDenied 403 by themselves (errors.py).
   - the viewset's docstring is the operation's description in the schema (Chinese).
2. Register it in `urls.py`: `router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")`.
3. Tests in `sanqu/api/tests/`: a scoping probe with `chengkou` and `wanzhou` (list holds only the
   own county; the other county's id answers 404 on retrieve, update and delete), and the
   schemathesis test picks the new operations up by itself.
4. English for each new Chinese msgid in /tmp/sanqu-i18n/api.json.
"""
