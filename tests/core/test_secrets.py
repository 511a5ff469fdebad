"""Secrets (DESIGN §13): trimmed or refused at load, never printed, scrubbed without mangling."""

from __future__ import annotations

import logging

import pytest

from app.worker import Job, Worker
from core.errors import InputError
from core.secrets import MIN_SECRET_LENGTH, SECRET_VARIABLES, ScrubbingFormatter, read_secret, scrub

SECRET = "a1b2c3d4e5f6a7b8c9d0e1f2"


@pytest.mark.parametrize("pasted", [f" {SECRET}", f"{SECRET}\n", f"{SECRET}\r\n", f"\t{SECRET} "])
def test_surrounding_whitespace_is_trimmed(pasted):
    assert read_secret({"CAMPUS_DISCOURSE_API_KEY": pasted}, "CAMPUS_DISCOURSE_API_KEY") == SECRET


@pytest.mark.parametrize("variable", SECRET_VARIABLES)
@pytest.mark.parametrize("inner", ["\n", "\r", " ", "\x00", "é"])
def test_an_inner_break_or_space_is_refused_without_showing_the_value(variable, inner):
    value = SECRET[:10] + inner + SECRET[10:]
    with pytest.raises(InputError) as refused:
        read_secret({variable: value}, variable)
    assert variable in str(refused.value)
    assert SECRET[:10] not in str(refused.value) and SECRET[10:] not in str(refused.value)


def test_an_absurdly_short_key_is_refused():
    with pytest.raises(InputError, match="CAMPUS_DISCOURSE_API_KEY"):
        read_secret({"CAMPUS_DISCOURSE_API_KEY": "x"}, "CAMPUS_DISCOURSE_API_KEY")


def test_unset_or_blank_is_empty():
    assert read_secret({"CAMPUS_WEB_SECRET": "  \n"}, "CAMPUS_WEB_SECRET") == ""
    assert read_secret({}, "CAMPUS_WEB_SECRET") == ""


def test_scrub_replaces_whole_loaded_secrets():
    read_secret({"CAMPUS_WEBHOOK_SECRET": SECRET}, "CAMPUS_WEBHOOK_SECRET")
    assert scrub(f"header value {SECRET!r} refused") == "header value '***' refused"


def test_scrub_never_mangles_text_with_a_short_value():
    assert scrub("https://example.org a échoué", ["e"]) == "https://example.org a échoué"
    assert scrub("x" * (MIN_SECRET_LENGTH - 1) + "!", ["x" * (MIN_SECRET_LENGTH - 1)]).endswith("!")


def test_log_lines_are_scrubbed_tracebacks_included():
    read_secret({"CAMPUS_RESEARCH_KEY": SECRET}, "CAMPUS_RESEARCH_KEY")
    try:
        raise ValueError(f"Invalid header value {SECRET}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "key %s", (SECRET,), True)
        import sys

        record.exc_info = sys.exc_info()
    line = ScrubbingFormatter(logging.Formatter("%(levelname)s %(message)s")).format(record)
    assert SECRET not in line and "***" in line
    assert line.startswith("ERROR key ***")  # the handler's own format is kept


def test_worker_failure_detail_is_scrubbed(tmp_path):
    read_secret({"CAMPUS_DISCOURSE_API_KEY": SECRET}, "CAMPUS_DISCOURSE_API_KEY")

    def leaky():
        raise ValueError(f"Invalid leading whitespace in header value {SECRET!r}")

    worker = Worker([Job("sync", leaky, "hourly")], f"sqlite:///{tmp_path / 'campus.db'}")
    (record,) = worker.run_once()
    assert record.outcome == "failed"
    assert SECRET not in record.detail and "***" in record.detail
