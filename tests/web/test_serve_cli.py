"""`campus serve`: secrets come from the environment; a missing one is exit 2 naming it."""

from __future__ import annotations

from tests.conftest import run_campus
from web.services import WEB_SECRETS, web_secrets


def _serve(tmp_path, **env):
    base = {"CAMPUS_DISCOURSE_API_KEY": "k" * 20}
    config = tmp_path / "campus.toml"
    config.write_text('[database]\nurl = "sqlite:///campus.db"\n', encoding="utf-8")
    return run_campus("--config", str(config), "serve", env={**base, **env})


def test_serve_without_secrets_exits_2_naming_each_variable(tmp_path):
    result = _serve(
        tmp_path,
        CAMPUS_WEB_SECRET="",
        CAMPUS_DISCOURSE_CONNECT_SECRET="",
        CAMPUS_WEBHOOK_SECRET="",
    )
    assert result.exit_code == 2
    for variable in WEB_SECRETS.values():
        assert f"{variable} n'est pas définie." in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "campus.db").exists()  # nothing written


def test_serve_refuses_a_secret_with_a_newline_inside_without_printing_it(tmp_path):
    secret = "pasted-secret-0123456789abcdef"
    result = _serve(
        tmp_path,
        CAMPUS_WEB_SECRET=secret[:12] + "\n" + secret[12:],
        CAMPUS_DISCOURSE_CONNECT_SECRET="c" * 32,
        CAMPUS_WEBHOOK_SECRET="h" * 32,
    )
    assert result.exit_code == 2
    assert "CAMPUS_WEB_SECRET" in result.output
    assert "contient une espace" in result.output
    assert secret[:12] not in result.output and secret[12:] not in result.output
    assert "Traceback" not in result.output


def test_web_secrets_are_trimmed_like_every_secret():
    secret = "pasted-secret-0123456789abcdef"
    values = web_secrets(
        {
            "CAMPUS_WEB_SECRET": secret + "\n",
            "CAMPUS_DISCOURSE_CONNECT_SECRET": "  " + "c" * 32,
            "CAMPUS_WEBHOOK_SECRET": "h" * 32 + "\r\n",
        }
    )
    assert values == {
        "web_secret": secret,
        "connect_secret": "c" * 32,
        "webhook_secret": "h" * 32,
    }


def test_init_writes_the_web_section(tmp_path):
    result = run_campus("init", str(tmp_path / "new"))
    assert result.exit_code == 0
    text = (tmp_path / "new" / "campus.toml").read_text(encoding="utf-8")
    assert "[web]" in text
    assert 'base_url = "https://campus.example.org"' in text


def test_serve_on_a_taken_port_exits_1_with_a_message(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "campus.toml").write_text("", encoding="utf-8")
        config = str(tmp_path / "campus.toml")
        result = run_campus(
            "--config",
            config,
            "serve",
            "--port",
            str(port),
            env={
                "CAMPUS_DISCOURSE_API_KEY": "k" * 20,
                "CAMPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'campus.db'}",
                "CAMPUS_WEB_SECRET": "w" * 32,
                "CAMPUS_DISCOURSE_CONNECT_SECRET": "c" * 32,
                "CAMPUS_WEBHOOK_SECRET": "h" * 32,
            },
        )
    assert result.exit_code == 1
    assert f"Impossible d'écouter sur 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
