"""The documentation's command outputs are real: README.md and every guide in docs/*.md are read,
and each `$ campus …` example of theirs named in `CHECKED` (by file, command and occurrence in
that file) is run on the sandbox and compared, so the docs cannot drift from what Campus prints.

In a text block, a line `…` stands for any number of lines and `…` inside a line for any text
(outputs cut for length). What differs from run to run is normalised on both sides: the
sandbox's address, durations (`0,9 s`), local dates and times.

Examples not run here, and why: `campus demo` (a minute; `tests/test_demo.py` runs it small),
`campus sandbox` and `campus serve` (they serve until stopped;
`tests/sandbox/test_sandbox_launcher.py`), the runs whose request counts depend on what the forum
and the mirror held at that moment (`provision --json`, `members --json`, `sync`, `sync --json`),
the invalid `cooperatives.csv` (its file is not shown), the runs on the small sandbox at a given
hour or after given writes (`relay`, `digest`, `pulse`, `worker --once`), the reports tied to the
day they were written (`report`), and `lab evaluate` (the 1M-post benchmark mirror of
`bench/lab_mirror.py`).

The command synopsis (the text block under `## Commands` in docs/animateur.md) is compared with
the CLI itself (every command, every option, nothing more). In every file, each link to a heading
(of the file itself or of another Markdown file), an image or a file must resolve.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

import cli
from sandbox.network import generate
from sandbox.server import SandboxServer
from tests.conftest import run_campus
from tests.support.sandbox_site import answers_in_use

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
SYNOPSIS = ROOT / "docs" / "animateur.md"


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# (file, command as written there, its occurrence in that file) -> the folder it runs in
CHECKED = {
    ("README.md", "campus init .", 0): "empty",
    ("README.md", "campus doctor", 0): "forum",
    ("README.md", "campus stats", 0): "forum",
    ("README.md", "campus score --period 2026-10 --top 3", 0): "forum",
    ("docs/animateur.md", "campus doctor", 0): "broken",
    ("docs/animateur.md", "campus init .", 0): "empty",
    ("docs/animateur.md", "campus provision --dry-run", 0): "forum",
    ("docs/animateur.md", "campus stats", 0): "forum",
    ("docs/animateur.md", "campus score --period 2026-10 --top 3", 0): "forum",
    ("docs/animateur.md", "campus score --period 2026-10 --user pierre.traore", 0): "forum",
    ("docs/animateur.md", "campus score --period 2026-10 --top 1 --format json", 0): "forum",
    ("docs/animateur.md", "campus score --period 2026 --by-theme --top 2", 0): "forum",
    ("docs/animateur.md", "campus provision --dry-run", 1): "adopt",
    ("docs/animateur.md", "campus provision", 1): "adopt",
    ("docs/exploitation.md", "campus doctor", 0): "forum",
    (
        "docs/exploitation.md",
        "CAMPUS_DISCOURSE_API_KEY=0123456789abcdef-wrong campus doctor; echo $?",
        0,
    ): "forum",
}

NORMALISE = [
    (re.compile(r"http://127\.0\.0\.1:\d+"), "http://SANDBOX"),
    (re.compile(r"\b\d+(,\d+)? s\b"), "N s"),
    (re.compile(r"\b\d{1,2} [a-zéû]+\.? \d{4}, \d\d:\d\d:\d\d"), "DATE"),
]


@dataclass
class Example:
    file: str
    command: str
    occurrence: int
    expected: list[str]


def doc_examples(path: Path) -> list[Example]:
    """Every `$ …` line of a file's text blocks, with the lines that follow it."""
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for block in re.findall(r"```text\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        current: Example | None = None
        for line in block.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                current = Example(name(path), command, seen.get(command, 0), [])
                seen[command] = current.occurrence + 1
                examples.append(current)
            elif current is not None:
                current.expected.append(line)
    for example in examples:
        while example.expected and not example.expected[-1].strip():
            example.expected.pop()
    return examples


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text.rstrip()


def line_pattern(expected: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in normalise(expected).split("…")))


def matches(expected: list[str], actual: list[str]) -> bool:
    """`expected` (documented lines, `…` as wildcards) against `actual` (normalised output)."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "…":
        return any(matches(rest, actual[start:]) for start in range(len(actual) + 1))
    return (
        bool(actual)
        and line_pattern(head).fullmatch(normalise(actual[0])) is not None
        and matches(rest, actual[1:])
    )


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict:
    """The docs' forum (`campus sandbox --size network`, mirrored), a broken campus.toml; and the
    API key. (`init` runs in an empty folder of its own: each example gets a new one.)"""
    network = generate(1, "network")
    with SandboxServer(network, rate_limit_per_minute=0) as server:
        forum = tmp_path_factory.mktemp("forum")
        (forum / "campus.toml").write_text(f'[discourse]\nurl = "{server.url}"\n')
        (forum / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
        (forum / "fast.toml").write_text(
            f'[discourse]\nurl = "{server.url}"\nrequests_per_minute = 0\n'
        )
        env = {"CAMPUS_DISCOURSE_API_KEY": server.api_key}
        synced = run_campus("--config", str(forum / "fast.toml"), "sync", env=env)
        assert synced.exit_code == 0, synced.output
        broken = tmp_path_factory.mktemp("broken")
        (broken / "campus.toml").write_text("[discourse]\nrequest_per_minute = 60\n")
        yield {
            "forum": forum,
            "broken": broken,
            "key": server.api_key,
        }


def run_example(example: Example, folder: Path, key: str, monkeypatch) -> list[str]:
    """Run the documented command in `folder` as a shell would (`VAR=x campus …; echo $?`)."""
    command, echo_status = example.command, False
    if command.endswith("; echo $?"):
        command, echo_status = command.removesuffix("; echo $?"), True
    words = shlex.split(command)
    env = {"CAMPUS_DISCOURSE_API_KEY": key, "CAMPUS_CONFIG": None}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "campus"
    monkeypatch.chdir(folder)
    result = run_campus(*words[1:], env=env)
    lines = result.output.splitlines()
    return [*lines, str(result.exit_code)] if echo_status else lines


EXAMPLES = {(e.file, e.command, e.occurrence): e for path in DOCS for e in doc_examples(path)}


def test_every_checked_example_is_in_the_docs():
    assert set(CHECKED) <= set(EXAMPLES), sorted(set(CHECKED) - set(EXAMPLES))


@contextlib.contextmanager
def adopted_forum(folder: Path) -> Iterator[str]:
    """The forum to adopt (docs/animateur.md): the small network used for years before Campus
    (`answers_in_use`), a fresh one for each example; yields the API key."""
    network = generate(1, "small")
    answers_in_use(network.forum)
    with SandboxServer(network, rate_limit_per_minute=0) as server:
        (folder / "campus.toml").write_text(
            f'[discourse]\nurl = "{server.url}"\nrequests_per_minute = 0\n'
        )
        (folder / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
        yield server.api_key


@pytest.mark.parametrize("key", sorted(CHECKED), ids=lambda key: f"{key[0]}:{key[1]}#{key[2]}")
def test_documented_output_is_what_campus_prints(key, folders, monkeypatch, tmp_path):
    example = EXAMPLES[key]
    if CHECKED[key] == "adopt":
        with adopted_forum(tmp_path) as api_key:
            actual = run_example(example, tmp_path, api_key, monkeypatch)
    elif CHECKED[key] == "empty":  # `init` never overwrites: a new folder for each example
        actual = run_example(example, tmp_path, folders["key"], monkeypatch)
    else:
        actual = run_example(example, folders[CHECKED[key]], folders["key"], monkeypatch)
    assert matches(example.expected, actual), (
        f"{example.file}:\n" + "\n".join(example.expected) + "\n\nCampus:\n" + "\n".join(actual)
    )


def synopsis_entries() -> dict[str, str]:
    """The command synopsis (the text block under `## Commands` in docs/animateur.md), one entry
    per command path (`pulse post`, `lab evaluate`, `score`…): its line and the lines that
    continue it."""
    text = SYNOPSIS.read_text(encoding="utf-8")
    block = re.search(r"## Commands\n\n```text\n(.*?)```", text, re.S).group(1)
    entries: dict[str, str] = {}
    current: list[str] = []
    for line in block.splitlines():
        if re.match(r"  [a-z]", line):
            words = line.split()
            second = words[1] if len(words) > 1 else ""
            names = second.split("|") if re.fullmatch(r"[a-z|]+", second) else [""]
            current = [f"{words[0]} {name}".strip() for name in names]
            for path in current:
                entries[path] = entries.get(path, "") + line
        elif line.startswith("    ") and current:
            for path in current:
                entries[path] += line
    return entries


def leaf_commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command `campus` has, by its path (`sync`, `pulse close`…)."""
    leaves: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            leaves.update(leaf_commands(command, path))
        else:
            leaves[path] = command
    return leaves


def long_options(command: click.Command) -> set[str]:
    return {
        option
        for parameter in command.params
        if isinstance(parameter, click.Option)
        for option in parameter.opts
        if option.startswith("--")
    }


def test_the_synopsis_lists_every_command():
    assert set(synopsis_entries()) == set(leaf_commands(cli.main))


@pytest.mark.parametrize("path", sorted(leaf_commands(cli.main)))
def test_the_synopsis_gives_each_command_its_options(path):
    written = set(re.findall(r"--[a-z][a-z-]*", synopsis_entries().get(path, "")))
    options = long_options(leaf_commands(cli.main)[path])
    aliases = {"--by-category"}  # an alias of --by-theme, named in the score section
    assert written == options - aliases, path


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def prose(path: Path) -> str:
    """A Markdown file without its fenced blocks (whose `#` lines and brackets are not Markdown)."""
    return re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)


def anchors(path: Path) -> set[str]:
    return {github_anchor(h) for h in re.findall(r"^#+ (.+)$", prose(path), re.M)}


def test_the_docs_are_the_readme_and_the_guides():
    names = {name(path) for path in DOCS}
    guides = ["animateur", "direction", "membres", "labo", "exploitation", "developpement"]
    assert {"README.md", "docs/architecture.md", *(f"docs/{g}.md" for g in guides)} <= names


@pytest.mark.parametrize("path", DOCS, ids=name)
def test_links_images_and_headings_resolve(path):
    """Every relative link or image of the file: its file exists and, for a heading of a Markdown
    file (`#anchor` alone: the file itself), the heading exists."""
    links = re.findall(r"\]\(([^)\s]+)\)", prose(path))
    broken = []
    for link in links:
        if re.match(r"[a-z]+:", link):  # https:, mailto:…
            continue
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        missing_heading = anchor and (file.suffix != ".md" or anchor not in anchors(file))
        if not file.exists() or missing_heading:
            broken.append(link)
    assert broken == []


def test_the_readme_links_to_every_guide():
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)", prose(README)))
    assert {name(path) for path in DOCS if path != README} <= linked
