"""The route table, built from the `google.api.http` annotations of the generated descriptors.

Nothing here names a particular RPC: every annotated method of every `docmesh.*.v1` service
becomes a route, so adding an annotated RPC exposes it over REST with no gateway change.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message_factory

import docmesh

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class TemplateError(ValueError):
    """An http rule's path template does not follow the google.api.http grammar."""


@dataclass(frozen=True)
class PathVariable:
    group: str  # regex group name
    field_path: tuple[str, ...]  # proto field names, e.g. ("session", "id")


@dataclass(frozen=True)
class PathTemplate:
    text: str
    regex: re.Pattern[str]
    variables: tuple[PathVariable, ...]
    # Per segment: 3 literal, 2 one-segment wildcard, 1 multi-segment wildcard; used so that
    # literal segments outrank variables when two templates match the same path.
    specificity: tuple[int, ...]
    verb: str

    def openapi_path(self) -> str:
        """The template as an OpenAPI path; a nested field path {session.id} becomes {session_id}
        (OpenAPI tools read dots in parameter names as nesting)."""

        def replace(match: re.Match[str]) -> str:
            return "{" + openapi_parameter_name(match.group(1).strip()) + "}"

        return re.sub(r"\{([^}=]+)(?:=[^}]*)?\}", replace, self.text)


def openapi_parameter_name(field_path: str) -> str:
    return field_path.replace(".", "_")


def _split_outside_braces(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise TemplateError(f"unbalanced '}}' in {text!r}")
        if char == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise TemplateError(f"unbalanced '{{' in {text!r}")
    parts.append("".join(current))
    return parts


_LITERAL = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=@%-]+$")
_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _segment_regex(segment: str) -> tuple[str, int]:
    if segment == "*":
        return "[^/]+", 2
    if segment == "**":
        return ".+", 1
    if not segment or not _LITERAL.match(segment):
        raise TemplateError(f"bad path segment {segment!r}")
    return re.escape(segment), 3


def parse_template(text: str) -> PathTemplate:
    """Compile a google.api.http path template into a regex over the raw (percent-encoded) path."""
    if not text.startswith("/"):
        raise TemplateError(f"template must start with '/': {text!r}")
    body = text[1:]
    verb = ""
    last_slash = max(body.rfind("/"), body.rfind("}"))
    colon = body.rfind(":")
    if colon > last_slash:
        body, verb = body[:colon], body[colon + 1 :]
        if not verb or not _LITERAL.match(verb):
            raise TemplateError(f"bad verb in {text!r}")
    pattern: list[str] = []
    variables: list[PathVariable] = []
    specificity: list[int] = []
    for segment in _split_outside_braces(body, "/"):
        if segment.startswith("{") and segment.endswith("}"):
            inner = segment[1:-1]
            name, _, sub = inner.partition("=")
            name = name.strip()
            if not _FIELD_PATH.match(name):
                raise TemplateError(f"bad variable {segment!r} in {text!r}")
            group = f"v{len(variables)}"
            sub_parts = sub.split("/") if sub else ["*"]
            sub_regexes = []
            for part in sub_parts:
                regex, score = _segment_regex(part)
                sub_regexes.append(regex)
                specificity.append(score if part in ("*", "**") else 3)
            pattern.append(f"(?P<{group}>{'/'.join(sub_regexes)})")
            variables.append(PathVariable(group, tuple(name.split("."))))
        else:
            regex, score = _segment_regex(segment)
            pattern.append(regex)
            specificity.append(score)
    full = "^/" + "/".join(pattern) + (":" + re.escape(verb) if verb else "") + "$"
    return PathTemplate(text, re.compile(full), tuple(variables), tuple(specificity), verb)


@dataclass
class Route:
    http_method: str  # upper case
    template: PathTemplate
    body: str  # "", "*" or a field path
    response_body: str
    method: _descriptor.MethodDescriptor
    upstream: str  # "session", "agent" or "document"
    operation_id: str
    request_class: type = field(repr=False, default=type(None))
    response_class: type = field(repr=False, default=type(None))

    # Read on every request: worked out once per route (descriptors never change).
    @functools.cached_property
    def full_method(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @functools.cached_property
    def server_streaming(self) -> bool:
        return bool(self.method.server_streaming)

    @property
    def sort_key(self) -> tuple[tuple[int, ...], int, int]:
        # Most specific first: literal segments outrank variables, a verb outranks none.
        return (self.template.specificity, 1 if self.template.verb else 0, len(self.template.text))


def generated_modules() -> Iterator[ModuleType]:
    """Import every generated `docmesh.<area>.v1.*_pb2` module."""
    # The generated tree has no __init__.py files (namespace packages), which pkgutil does
    # not descend into, so walk the directories.
    for root in docmesh.__path__:
        for path in sorted(Path(root).glob("*/v*/*_pb2.py")):
            relative = path.relative_to(root).with_suffix("")
            yield importlib.import_module("docmesh." + ".".join(relative.parts))


def upstream_for(service: _descriptor.ServiceDescriptor) -> str:
    """The upstream that serves a service: the area of its package (docmesh.<area>.v1)."""
    parts = service.full_name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "docmesh" else ""


def _rules(rule: http_pb2.HttpRule) -> Iterator[http_pb2.HttpRule]:
    yield rule
    yield from rule.additional_bindings


def _rule_method_path(rule: http_pb2.HttpRule) -> tuple[str, str]:
    kind = rule.WhichOneof("pattern")
    if kind is None:
        raise TemplateError("http rule has no pattern")
    if kind == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    return kind.upper(), getattr(rule, kind)


def services(modules: Iterable[ModuleType]) -> list[_descriptor.ServiceDescriptor]:
    found: dict[str, _descriptor.ServiceDescriptor] = {}
    for module in modules:
        file_descriptor: _descriptor.FileDescriptor = module.DESCRIPTOR
        for service in file_descriptor.services_by_name.values():
            found[service.full_name] = service
    return [found[name] for name in sorted(found)]


def build_routes(service_descriptors: Iterable[_descriptor.ServiceDescriptor]) -> list[Route]:
    routes: list[Route] = []
    for service in service_descriptors:
        upstream = upstream_for(service)
        for method in service.methods:
            options = method.GetOptions()
            if not options.HasExtension(annotations_pb2.http):
                continue
            rule = options.Extensions[annotations_pb2.http]
            for index, binding in enumerate(_rules(rule)):
                http_method, path = _rule_method_path(binding)
                operation_id = f"{service.name}_{method.name}" + (f"_{index}" if index else "")
                routes.append(
                    Route(
                        http_method=http_method,
                        template=parse_template(path),
                        body=binding.body,
                        response_body=binding.response_body or rule.response_body,
                        method=method,
                        upstream=upstream,
                        operation_id=operation_id,
                        request_class=message_factory.GetMessageClass(method.input_type),
                        response_class=message_factory.GetMessageClass(method.output_type),
                    )
                )
    routes.sort(key=lambda r: r.sort_key, reverse=True)
    return routes


def _segment_count(template: PathTemplate) -> int | None:
    """How many segments the paths a template matches have; None when a ** makes it vary."""
    if _ANY_SEGMENTS in template.specificity:
        return None
    return len(template.specificity)


_ANY_SEGMENTS = 1  # the specificity of a ** segment


class Router:
    """Finds the route for a method and raw path; tells 404 from 405.

    A path with n segments is tried only against the routes whose paths have n segments (or
    any number, with a **), in the same order: a literal or * segment never spans a '/'. A GET
    of a session tried 9 patterns, most of which scan its id before failing (~25k instructions).
    """

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._by_method: dict[str, list[Route]] = {}
        for route in routes:
            self._by_method.setdefault(route.http_method, []).append(route)
        counts = [_segment_count(route.template) for route in routes]
        longest = max((count for count in counts if count is not None), default=0)
        self._by_shape: dict[tuple[str, int], list[Route]] = {}
        self._any_length: dict[str, list[Route]] = {}
        for method, candidates in self._by_method.items():
            self._any_length[method] = [r for r in candidates if _segment_count(r.template) is None]
            for segments in range(longest + 1):
                self._by_shape[(method, segments)] = [
                    r for r in candidates if _segment_count(r.template) in (None, segments)
                ]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        candidates = self._by_shape.get((method, path.count("/")))
        if candidates is None:
            candidates = self._any_length.get(method, [])
        for route in candidates:
            found = route.template.regex.match(path)
            if found is not None:
                return route, found.groupdict()
        return None

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({r.http_method for r in self.routes if r.template.regex.match(path)})
