"""`campus serve` stopped by SIGTERM pools the answers it still holds instead of losing them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import text

from core.vocabulary import AXES, current_month
from sync.mirror import barometer_store
from sync.mirror.db import connect
from tests.conftest import free_port
from web.auth import Member, open_session

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "CAMPUS_WEB_SECRET": "stop-test-web-secret-0123456789abcdef",
    "CAMPUS_DISCOURSE_CONNECT_SECRET": "stop-test-connect-secret-0123456789ab",
    "CAMPUS_WEBHOOK_SECRET": "stop-test-webhook-secret-0123456789ab",
    "CAMPUS_DISCOURSE_API_KEY": "stop-test-api-key",
}


def minted_cookie(user_id: int, groups: list[str]) -> str:
    """A session cookie as the login leaves it, signed with the service's web secret."""
    app = Flask("mint")
    app.secret_key = SECRETS["CAMPUS_WEB_SECRET"]
    member = Member(user_id, f"m{user_id}", "", admin=False, groups=frozenset(groups))
    return app.session_interface.get_signing_serializer(app).dumps(open_session(member))


def test_sigterm_pools_the_held_answers(tmp_path):
    (tmp_path / "cooperatives.csv").write_text("slug,name,region,color\ncoop-alpha,Alpha,,\n")
    port = free_port()
    (tmp_path / "campus.toml").write_text(
        f'[database]\nurl = "sqlite:///campus.db"\n[web]\nbase_url = "http://127.0.0.1:{port}"\n'
        f"trusted_proxies = []\nport = {port}\n",
        encoding="utf-8",
    )
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    month = current_month("Europe/Paris")
    barometer_store.open_month(engine, month, date.today())
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "--config", str(tmp_path / "campus.toml"), "serve"],
        env={**os.environ, **SECRETS, "CAMPUS_LANG": "fr"},
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url + "/login", timeout=1, allow_redirects=False)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        for user_id in range(1, 7):  # 3 + 3 in two role groups: no batch of 5 yet
            role = "entrepreneurs" if user_id % 2 else "equipes-appui"
            session = requests.Session()
            cookie = {"campus_session": minted_cookie(user_id, ["coop-alpha", role])}
            page = session.get(url + "/barometre", cookies=cookie, timeout=10).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            answer = session.post(
                url + "/barometre",
                data={**dict.fromkeys(AXES, ""), "autonomie": "4", "csrf_token": token},
                timeout=10,
            )
            assert answer.status_code == 200
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM barometer_cells")).scalar() == 0
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with engine.connect() as conn:
        cells = conn.execute(text("SELECT cooperative, role, respondents FROM barometer_cells"))
        assert list(cells) == [("coop-alpha", "", 6)]
