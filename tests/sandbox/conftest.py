"""Helpers for sandbox tests: an authenticated requests session on the per-test sandbox."""

from __future__ import annotations

import pytest
import requests


class Api:
    """Thin admin client for raw HTTP checks (status codes, headers, exact bodies)."""

    def __init__(self, url: str, api_key: str, username: str = "system"):
        self.url = url
        self.session = requests.Session()
        self.session.headers.update({"Api-Key": api_key, "Api-Username": username})

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(sandbox_server) -> Api:
    """Admin session (`system`) on a fresh small sandbox."""
    return Api(sandbox_server.url, sandbox_server.api_key)
