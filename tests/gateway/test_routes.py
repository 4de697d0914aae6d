"""The route table and the JSON <-> protobuf mapping, straight from the proto descriptors."""

from __future__ import annotations

import dataclasses

import pytest
from google.api import annotations_pb2

from docmesh.session.v1 import session_service_pb2 as session_pb
from docmesh_gateway.openapi import build_openapi
from docmesh_gateway.routes import (
    Route,
    Router,
    TemplateError,
    build_routes,
    generated_modules,
    parse_template,
    services,
)
from docmesh_gateway.transcode import RequestError, build_request


@pytest.fixture(scope="module")
def routes() -> list[Route]:
    return build_routes(services(generated_modules()))


@pytest.fixture(scope="module")
def router(routes: list[Route]) -> Router:
    return Router(routes)


def by_id(routes: list[Route], operation_id: str) -> Route:
    return next(r for r in routes if r.operation_id == operation_id)


def test_every_annotated_rpc_of_every_service_has_a_route(routes: list[Route]) -> None:
    annotated = {
        f"/{service.full_name}/{method.name}"
        for service in services(generated_modules())
        for method in service.methods
        if method.GetOptions().HasExtension(annotations_pb2.http)
    }
    assert annotated == {r.full_method for r in routes}
    assert len(annotated) >= 25


def test_rpcs_without_an_annotation_are_not_exposed(routes: list[Route]) -> None:
    exposed = {r.full_method for r in routes}
    assert "/docmesh.session.v1.SessionService/AppendMessages" not in exposed
    assert "/docmesh.session.v1.SessionService/SaveRevision" not in exposed


def test_additional_bindings_become_routes_of_the_same_rpc(router: Router) -> None:
    plain = router.match("GET", "/api/v1/usage")
    scoped = router.match("GET", "/api/v1/sessions/s-1/usage")
    assert plain and scoped
    assert plain[0].full_method == scoped[0].full_method == "/docmesh.session.v1.SessionService/GetUsage"
    assert scoped[1] == {"v0": "s-1"}


def test_literal_segments_outrank_the_file_name_variable(router: Router) -> None:
    for tail, rpc in [
        ("messages", "ListMessages"),
        ("revisions", "ListRevisions"),
        ("usage", "GetUsage"),
        ("document.xlsx", "ExportSessionDocument"),
    ]:
        found = router.match("GET", f"/api/v1/sessions/abc/{tail}")
        assert found is not None
        assert found[0].method.name == rpc


def test_custom_verbs_select_their_own_rpc(router: Router) -> None:
    assert router.match("POST", "/api/v1/sessions/abc:restore")[0].method.name == "RestoreSession"  # type: ignore[index]
    assert router.match("POST", "/api/v1/chat:stream")[0].method.name == "ChatStream"  # type: ignore[index]
    assert router.match("POST", "/api/v1/chat")[0].method.name == "Chat"  # type: ignore[index]
    found = router.match("POST", "/api/v1/sessions/abc/revisions/3:revert")
    assert found is not None and found[0].method.name == "RevertRevision"
    assert found[1] == {"v0": "abc", "v1": "3"}


def test_legacy_invoice_app_routes_are_served_by_the_agent(router: Router) -> None:
    for method, path in [
        ("POST", "/api/generate-invoice"),
        ("POST", "/api/chat"),
        ("GET", "/api/session/abc"),
        ("DELETE", "/api/session/abc"),
    ]:
        found = router.match(method, path)
        assert found is not None, path
        assert found[0].upstream == "agent"
        assert found[0].method.containing_service.name == "InvoiceAppService"


def test_a_path_with_other_methods_only_reports_them(router: Router) -> None:
    assert router.match("PUT", "/api/v1/sessions/abc") is None
    assert router.allowed_methods("/api/v1/sessions/abc") == ["DELETE", "GET", "PATCH"]
    assert router.allowed_methods("/nowhere") == []


def test_templates_with_wildcards_and_nested_fields_compile() -> None:
    template = parse_template("/v1/{name=projects/*/docs/**}:get")
    assert template.regex.match("/v1/projects/p1/docs/a/b:get")
    assert not template.regex.match("/v1/folders/p1/docs/a:get")
    nested = parse_template("/api/v1/sessions/{session.id}")
    assert nested.variables[0].field_path == ("session", "id")


@pytest.mark.parametrize("bad", ["no-slash", "/a/{unclosed", "/a/{1bad}", "/a/b:", "/a//b"])
def test_malformed_templates_are_refused(bad: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(bad)


def test_query_parameters_fill_enums_by_name_timestamps_and_booleans(routes: list[Route]) -> None:
    request = build_request(
        by_id(routes, "SessionService_ListSessions"),
        {},
        [
            ("page_size", "5"),
            ("status", "SESSION_STATUS_ACTIVE"),
            ("create_time_after", "2025-01-02T03:04:05Z"),
            ("showDeleted", "true"),
        ],
        b"",
    )
    assert isinstance(request, session_pb.ListSessionsRequest)
    assert request.page_size == 5
    assert request.status == session_pb.SESSION_STATUS_ACTIVE
    assert request.create_time_after.ToJsonString() == "2025-01-02T03:04:05Z"
    assert request.show_deleted is True


def test_a_path_variable_fills_a_nested_field_and_the_body_its_message(routes: list[Route]) -> None:
    request = build_request(
        by_id(routes, "SessionService_UpdateSession"),
        {"v0": "s-9"},
        [],
        b'{"title": "New", "documentKind": "DOCUMENT_KIND_QUOTE"}',
    )
    assert request.session.id == "s-9"
    assert request.session.title == "New"


def test_patch_without_a_mask_updates_exactly_the_fields_in_the_body(routes: list[Route]) -> None:
    request = build_request(
        by_id(routes, "SessionService_UpdateSession"),
        {"v0": "s-9"},
        [],
        b'{"title": "New", "metadata": {"a": "b"}}',
    )
    assert list(request.update_mask.paths) == ["title", "metadata"]


def test_an_explicit_update_mask_in_the_query_wins(routes: list[Route]) -> None:
    request = build_request(
        by_id(routes, "SessionService_UpdateSession"),
        {"v0": "s-9"},
        [("update_mask", "title")],
        b'{"title": "New", "metadata": {"a": "b"}}',
    )
    assert list(request.update_mask.paths) == ["title"]


def test_body_star_accepts_snake_and_lower_camel_case(routes: list[Route]) -> None:
    route = by_id(routes, "AgentService_Chat")
    snake = build_request(route, {}, [], b'{"session_id": "s", "idempotency_key": "k", "message": "hi"}')
    camel = build_request(route, {}, [], b'{"sessionId": "s", "idempotencyKey": "k", "message": "hi"}')
    assert snake == camel


@pytest.mark.parametrize(
    ("operation", "query", "body", "field"),
    [
        ("SessionService_CreateSession", [], b'{"title": 3}', "session.title"),
        ("SessionService_CreateSession", [], b'{"colour": "red"}', "session.colour"),
        ("SessionService_ListSessions", [("page_size", "many")], b"", "page_size"),
        ("SessionService_ListSessions", [("status", "SHINY")], b"", "status"),
        ("SessionService_ListSessions", [("show_deleted", "perhaps")], b"", "show_deleted"),
        ("SessionService_ListSessions", [("create_time_after", "yesterday")], b"", "create_time_after"),
        ("SessionService_ListSessions", [("nonsense", "1")], b"", "nonsense"),
        ("AgentService_Chat", [], b'{"message": ["a"]}', "message"),
    ],
)
def test_bad_input_names_the_field(
    operation: str, query: list[tuple[str, str]], body: bytes, field: str, routes: list[Route]
) -> None:
    with pytest.raises(RequestError) as caught:
        build_request(by_id(routes, operation), {}, query, body)
    assert caught.value.field == field
    assert field in caught.value.message


def test_malformed_json_is_a_request_error(routes: list[Route]) -> None:
    with pytest.raises(RequestError, match="malformed JSON"):
        build_request(by_id(routes, "AgentService_Chat"), {}, [], b'{"message": ')


def test_a_non_object_body_is_a_request_error(routes: list[Route]) -> None:
    with pytest.raises(RequestError, match="JSON object"):
        build_request(by_id(routes, "AgentService_Chat"), {}, [], b"[1, 2]")


def test_a_path_variable_is_percent_decoded(routes: list[Route]) -> None:
    request = build_request(by_id(routes, "SessionService_GetSession"), {"v0": "a%20b"}, [], b"")
    assert request.session_id == "a b"


@pytest.fixture(scope="module")
def probe_routes() -> list[Route]:
    """Routes of a service that did not exist when the gateway was written (defined right here)."""
    from google.protobuf import descriptor_pb2, descriptor_pool

    label = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(
        name="docmesh/probe/v1/probe_service.proto",
        package="docmesh.probe.v1",
        syntax="proto3",
        dependency=["google/api/annotations.proto", "google/protobuf/timestamp.proto"],
    )
    request = file.message_type.add(name="FindProbesRequest")
    request.field.add(
        name="shelf", number=1, type=label.TYPE_STRING, label=label.LABEL_OPTIONAL, json_name="shelf"
    )
    request.field.add(
        name="tags", number=2, type=label.TYPE_STRING, label=label.LABEL_REPEATED, json_name="tags"
    )
    request.field.add(
        name="since",
        number=3,
        type=label.TYPE_MESSAGE,
        type_name=".google.protobuf.Timestamp",
        label=label.LABEL_OPTIONAL,
        json_name="since",
    )
    request.field.add(
        name="filter",
        number=4,
        type=label.TYPE_MESSAGE,
        type_name=".docmesh.probe.v1.Filter",
        label=label.LABEL_OPTIONAL,
        json_name="filter",
    )
    probe_filter = file.message_type.add(name="Filter")
    probe_filter.field.add(
        name="min_size", number=1, type=label.TYPE_INT32, label=label.LABEL_OPTIONAL, json_name="minSize"
    )
    file.message_type.add(name="FindProbesResponse")
    method = file.service.add(name="ProbeService").method.add(
        name="FindProbes",
        input_type=".docmesh.probe.v1.FindProbesRequest",
        output_type=".docmesh.probe.v1.FindProbesResponse",
    )
    method.options.Extensions[annotations_pb2.http].get = "/api/v1/shelves/{shelf}/probes"
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(file.name)
    except KeyError:
        pool.Add(file)
    return build_routes([pool.FindServiceByName("docmesh.probe.v1.ProbeService")])


def test_a_newly_annotated_rpc_gets_a_route_with_no_gateway_change(probe_routes: list[Route]) -> None:
    found = Router(probe_routes).match("GET", "/api/v1/shelves/top/probes")
    assert found is not None
    assert found[0].full_method == "/docmesh.probe.v1.ProbeService/FindProbes"
    assert found[0].upstream == "probe"


def test_repeated_query_parameters_append_and_nested_ones_use_dots(probe_routes: list[Route]) -> None:
    request = build_request(
        probe_routes[0],
        {"v0": "top"},
        [("tags", "red"), ("tags", "blue"), ("filter.minSize", "3"), ("since", "2025-01-01T00:00:00+02:00")],
        b"",
    )
    assert request.shelf == "top"  # type: ignore[attr-defined]
    assert list(request.tags) == ["red", "blue"]  # type: ignore[attr-defined]
    assert request.filter.min_size == 3  # type: ignore[attr-defined]
    assert request.since.ToJsonString() == "2024-12-31T22:00:00Z"  # type: ignore[attr-defined]


def test_a_single_valued_query_parameter_given_twice_is_refused(probe_routes: list[Route]) -> None:
    with pytest.raises(RequestError, match="more than once"):
        build_request(
            probe_routes[0], {"v0": "top"}, [("filter.min_size", "1"), ("filter.min_size", "2")], b""
        )


def test_the_path_variable_cannot_be_overridden_from_the_query(probe_routes: list[Route]) -> None:
    with pytest.raises(RequestError, match="already set"):
        build_request(probe_routes[0], {"v0": "top"}, [("shelf", "bottom")], b"")


def test_a_deeply_nested_body_is_a_request_error_not_a_crash(routes: list[Route]) -> None:
    with pytest.raises(RequestError, match="nested too deeply"):
        build_request(by_id(routes, "AgentService_Chat"), {}, [], b"[" * 100_000 + b"]" * 100_000)


# Business profile, customers and finalizing (issue 12)


def test_profile_and_customer_routes_are_served_by_the_session(router: Router) -> None:
    expected = {
        ("GET", "/api/v1/profile"): "ProfileService/GetProfile",
        ("PATCH", "/api/v1/profile"): "ProfileService/UpdateProfile",
        ("PUT", "/api/v1/profile/logo"): "ProfileService/SetLogo",
        ("GET", "/api/v1/profile/logo"): "ProfileService/GetLogo",
        ("DELETE", "/api/v1/profile/logo"): "ProfileService/DeleteLogo",
        ("POST", "/api/v1/customers"): "CustomerService/CreateCustomer",
        ("GET", "/api/v1/customers"): "CustomerService/ListCustomers",
        ("GET", "/api/v1/customers/c-1"): "CustomerService/GetCustomer",
        ("PATCH", "/api/v1/customers/c-1"): "CustomerService/UpdateCustomer",
        ("DELETE", "/api/v1/customers/c-1"): "CustomerService/DeleteCustomer",
    }
    for (method, path), rpc in expected.items():
        found = router.match(method, path)
        assert found is not None, (method, path)
        assert found[0].full_method == f"/docmesh.session.v1.{rpc}"
        assert found[0].upstream == "session"


def test_complete_and_finalize_both_call_the_agents_finalize_document(router: Router) -> None:
    for verb in ("complete", "finalize"):
        found = router.match("POST", f"/api/v1/sessions/s-1:{verb}")
        assert found is not None
        assert found[0].full_method == "/docmesh.agent.v1.AgentService/FinalizeDocument"
        assert found[0].upstream == "agent"


def test_the_match_customer_rpc_is_internal(routes: list[Route]) -> None:
    assert "/docmesh.session.v1.CustomerService/MatchCustomer" not in {r.full_method for r in routes}


def test_a_logo_upload_takes_the_raw_body_and_its_content_type(routes: list[Route]) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00"
    request = build_request(by_id(routes, "ProfileService_SetLogo"), {}, [], png, "image/png")
    assert request.image.content_type == "image/png"
    assert request.image.data == png


def test_an_upload_cannot_be_set_from_the_query(routes: list[Route]) -> None:
    with pytest.raises(RequestError) as caught:
        build_request(
            by_id(routes, "ProfileService_SetLogo"), {}, [("image.content_type", "image/png")], b"x", ""
        )
    assert caught.value.field == "image.content_type"


def test_a_profile_patch_masks_the_nested_fields_its_body_names(routes: list[Route]) -> None:
    request = build_request(
        by_id(routes, "ProfileService_UpdateProfile"),
        {},
        [],
        b'{"seller": {"name": "Acme", "countryCode": "DE"}, "bank": {"iban": "DE89"}}',
    )
    assert list(request.update_mask.paths) == ["seller.name", "seller.country_code", "bank.iban"]
    assert request.profile.seller.country_code == "DE"


def test_a_customer_create_body_is_the_customer_itself(routes: list[Route]) -> None:
    request = build_request(
        by_id(routes, "CustomerService_CreateCustomer"), {}, [], b'{"party": {"name": "Globex"}}'
    )
    assert request.customer.party.name == "Globex"


def test_the_openapi_document_describes_the_logo_upload_as_raw_bytes(routes: list[Route]) -> None:
    document = build_openapi(routes)
    upload = document["paths"]["/api/v1/profile/logo"]["put"]["requestBody"]
    download = document["paths"]["/api/v1/profile/logo"]["get"]["responses"]["200"]
    assert upload["required"] is True
    assert upload["content"] == {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    assert download["content"]["*/*"]["schema"]["format"] == "binary"


def _linear_match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The specification of Router.match: every route of the method in order, the first that matches."""
    for route in routes:
        if route.http_method == method:
            found = route.template.regex.match(path)
            if found is not None:
                return route, found.groupdict()
    return None


def test_a_path_is_matched_as_trying_every_route_in_order_would(routes: list[Route], router: Router) -> None:
    templates = [
        *(r.template.text for r in routes),
        "/api/v1/{name=sessions/**}",
        "/api/v1/{name=**}:archive",
    ]
    wide = [*routes, *(dataclasses.replace(routes[0], template=parse_template(t)) for t in templates[-2:])]
    wide.sort(key=lambda r: r.sort_key, reverse=True)
    paths = {"/", "", "/api", "/api/v1/sessions/", "/api/v1//sessions", "/api/v1/sessions/a/b/c/d/e/f/g"}
    for text in templates:
        for fill in ("x", "a%2Fb", "id:complete"):
            path = text.replace("**", f"{fill}/deep").replace("*", fill)
            while "{" in path:
                start, end = path.index("{"), path.index("}")
                inner = path[start + 1 : end]
                path = path[:start] + (inner.split("=", 1)[1] if "=" in inner else fill) + path[end + 1 :]
            paths.add(path)
    wide_router = Router(wide)
    for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
        for path in sorted(paths):
            assert router.match(method, path) == _linear_match(routes, method, path), (method, path)
            assert wide_router.match(method, path) == _linear_match(wide, method, path), (method, path)
