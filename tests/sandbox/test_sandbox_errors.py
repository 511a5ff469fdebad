"""Authentication, error bodies, rate limiting and content type are Discourse's."""

from __future__ import annotations

import requests

from sandbox.routing import INVALID_ACCESS, NOT_FOUND

JSON = "application/json; charset=utf-8"


def test_wrong_key_is_403_invalid_access(sandbox_server):
    response = requests.get(
        sandbox_server.url + "/latest.json",
        headers={"Api-Key": "nope", "Api-Username": "system"},
        timeout=10,
    )
    assert response.status_code == 403
    assert response.json() == {"errors": [INVALID_ACCESS], "error_type": "invalid_access"}


def test_non_admin_user_is_403(sandbox_server):
    member = next(u for u in sandbox_server.state.users.values() if u.id > 0 and not u.admin)
    headers = {"Api-Key": sandbox_server.api_key, "Api-Username": member.username}
    assert (
        requests.get(sandbox_server.url + "/latest.json", headers=headers, timeout=10).status_code
        == 403
    )


def test_unknown_topic_is_404_not_found(api):
    response = api.get("/t/999999.json")
    assert response.status_code == 404
    assert response.json() == {"errors": [NOT_FOUND], "error_type": "not_found"}


def test_every_answer_is_json_utf8(api):
    assert api.get("/latest.json").headers["Content-Type"] == JSON
    assert api.get("/t/999999.json").headers["Content-Type"] == JSON


def test_paths_work_with_and_without_json_suffix(api):
    assert api.get("/t/2").json()["id"] == api.get("/t/2.json").json()["id"] == 2


def test_rate_limit_answers_real_json_429(api, sandbox_server):
    sandbox_server.set_rate_limit(3)
    statuses = [api.get("/site.json").status_code for _ in range(4)]
    response = api.get("/site.json")
    assert statuses == [200, 200, 200, 429]
    assert response.headers["Discourse-Rate-Limit-Error-Code"] == "admin_api_key_rate_limit"
    wait = int(response.headers["Retry-After"])
    body = response.json()
    assert body["error_type"] == "rate_limit"
    assert body["extras"] == {"wait_seconds": wait, "time_left": f"{wait} seconds"}
    assert 0 < wait <= 60


def test_rate_limit_bucket_is_shared_by_all_admin_users(api, sandbox_server):
    sandbox_server.set_rate_limit(2)
    other = {"Api-Key": sandbox_server.api_key, "Api-Username": "animation"}
    assert api.get("/site.json").status_code == 200
    assert (
        requests.get(sandbox_server.url + "/site.json", headers=other, timeout=10).status_code
        == 200
    )
    assert api.get("/site.json").status_code == 429


def test_rate_limit_zero_means_unlimited(api, sandbox_server):
    sandbox_server.set_rate_limit(0)
    assert all(api.get("/session/current.json").status_code == 200 for _ in range(30))


def test_refused_credentials_do_not_use_the_admin_bucket(sandbox_server, api):
    sandbox_server.set_rate_limit(1)
    requests.get(
        sandbox_server.url + "/site.json",
        headers={"Api-Key": "bad", "Api-Username": "system"},
        timeout=10,
    )
    assert api.get("/site.json").status_code == 200
