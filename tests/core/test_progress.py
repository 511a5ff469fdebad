"""How long steps show where they are (core.progress): a bar on a terminal, a line a minute
without one, every line with -v."""

from __future__ import annotations

import io

import pytest

from core.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def french(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")


def test_without_a_terminal_a_step_shorter_than_a_minute_prints_nothing():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=False, clock=clock)
    for done in range(1, 11):
        clock.now += 5
        progress.line(f"[{done}/10] créer groupe g{done}")
        progress.step(done, 10)
    assert stream.getvalue() == ""


def test_without_a_terminal_one_line_a_minute_with_the_time_left():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=False, clock=clock)
    for done in range(1, 301):  # one write a second, as at 60 requests a minute
        clock.now += 1
        progress.line(f"[{done}/300] créer catégorie c{done}")
        progress.step(done, 300)
    assert stream.getvalue().splitlines() == [
        "Progression : 60/300 (20 %), encore environ 4 min.",
        "Progression : 120/300 (40 %), encore environ 3 min.",
        "Progression : 180/300 (60 %), encore environ 2 min.",
        "Progression : 240/300 (80 %), encore environ 1 min.",
        "Progression : 300/300 (100 %), encore environ 1 min.",
    ]


def test_without_a_terminal_and_without_a_known_total_the_latest_line_once_a_minute():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=False, clock=clock)
    for page in range(1, 151):
        clock.now += 1
        progress.line(f"Messages : page {page}")
    assert stream.getvalue().splitlines() == [
        "Messages : page 60",
        "Messages : page 120",
    ]


def test_on_a_terminal_a_bar_with_the_time_left_and_the_lines_above_it():
    stream = io.StringIO()
    progress = Progress(stream, terminal=True)
    progress.step(1, 4)
    progress.line("[1/4] créer groupe coop-alpha")
    progress.step(2, 4)
    progress.close()
    text = stream.getvalue()
    assert "[1/4] créer groupe coop-alpha" in text
    assert "1/4 [00:00<00:00" in text  # the bar: done/total [elapsed<time left]


def test_verbose_prints_every_line_without_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream, terminal=False, verbose=True, clock=Clock())
    progress.line("Groupes : 3 lus")
    progress.line("Sujets : page 1")
    assert stream.getvalue().splitlines() == ["Groupes : 3 lus", "Sujets : page 1"]
