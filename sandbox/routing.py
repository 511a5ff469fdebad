"""Requests, parameters, errors and the route table of the sandbox.

Routes are written like Discourse's (`/t/{id}.json`); a request path matches with or without the
`.json` suffix, as Rails routes do. The template string is also the key of the request counters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from sandbox.state import User

INVALID_ACCESS = (
    "You are not permitted to view the requested resource. The API username or key is invalid."
)
NOT_FOUND = "The requested URL or resource could not be found."


class ApiError(Exception):
    """An error answer: status code and the JSON body Discourse sends for it."""

    def __init__(self, status: int, errors: list[str], error_type: str | None = None, **extra):
        super().__init__(errors[0] if errors else str(status))
        self.status = status
        self.body: dict = {"errors": errors}
        if error_type:
            self.body["error_type"] = error_type
        self.body.update(extra)


def not_found() -> ApiError:
    """404 with Discourse's not_found body."""
    return ApiError(404, [NOT_FOUND], "not_found")


def invalid_access() -> ApiError:
    """403 with Discourse's invalid API credentials body."""
    return ApiError(403, [INVALID_ACCESS], "invalid_access")


def invalid_parameters(name: str) -> ApiError:
    """400 for a bad parameter (Discourse::InvalidParameters)."""
    return ApiError(
        400, [f"You supplied invalid parameters to the request: {name}"], "invalid_parameters"
    )


def missing_parameter(name: str) -> ApiError:
    """400 for a required parameter that is absent (ActionController::ParameterMissing)."""
    return ApiError(400, [f"param is missing or the value is empty: {name}"], "invalid_parameters")


def nest_params(pairs: list[tuple[str, str]]) -> dict:
    """Rails-style parameters: `a[b]=1` -> {"a": {"b": "1"}}, `ids[]=1&ids[]=2` -> {"ids": [...]}."""
    params: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        if not parts:
            continue
        target = params
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following = parts[index + 1] if not last else None
            if last:
                if part == "[]":
                    continue
                target[part] = value
            elif following == "[]":
                target.setdefault(part, []).append(value)
                break
            else:
                target = target.setdefault(part, {})
    return params


@dataclass
class Request:
    """What a handler needs: method, query and body parameters, path segments, the acting user."""

    method: str
    query: dict
    body: dict
    path_params: dict[str, str] = field(default_factory=dict)
    user: User | None = None
    host: str = ""  # the Host header: a badge reason URL must point at this forum

    @property
    def params(self) -> dict:
        """Query then body parameters (body wins), like Rails' `params`."""
        return {**self.query, **self.body}

    def get(self, name: str, default=None):
        """A parameter from the body or the query string."""
        return self.params.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (`true`/`1`; Python's `True` as sent by form-encoding clients)."""
        value = self.get(name)
        if value is None:
            return default
        return str(value).lower() in ("true", "1", "on", "yes")

    def int_param(
        self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        """An integer parameter validated like `fetch_int_from_params`: out of range -> 400."""
        value = self.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(str(value))
        except ValueError as error:
            raise invalid_parameters(name) from error
        if number < minimum or (maximum is not None and number > maximum):
            raise invalid_parameters(name)
        return number


def parse_body(content_type: str, data: bytes) -> dict:
    """JSON or form-encoded request body as nested parameters (invalid JSON -> 400)."""
    if not data:
        return {}
    if "application/json" in content_type:
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApiError(400, ["Invalid JSON body"], "invalid_parameters") from error
        return parsed if isinstance(parsed, dict) else {}
    return nest_params(parse_qsl(data.decode("utf-8"), keep_blank_values=True))


Handler = Callable[[Request], tuple[int, object]]


@dataclass
class Route:
    """One endpoint: method, template (counter key) and compiled pattern."""

    method: str
    template: str
    pattern: re.Pattern
    handler: Handler


class Router:
    """Dispatch table from `METHOD /template` to handlers."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register `handler`; `{name}` segments capture one path segment."""
        base = template[:-5] if template.endswith(".json") else template
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+?)", re.escape(base))
        pattern = re.compile("^" + regex + r"(?:\.json)?/?$")
        self.routes.append(Route(method, template, pattern, handler))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The first route matching `method` and `path`, with its captured segments."""
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None
