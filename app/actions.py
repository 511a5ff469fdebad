"""The directors' action log (DESIGN §14): record an action, change it, list them.

For a Gollac axis or a vigilance point (a card: a cooperative and an axis, optionally one of its
indicators), a cooperative's direction says what it decided: a kind, a short title, when it
started, where it stands. Every change is kept with its author (shown to animators only). A
title never names anybody: a whole-word username of the forum (3 characters or more), a
member's full name, or any `@word` is refused with a message, and nothing is written.

Both the web pages (`web/action_pages.py`) and the reports, the lab and the DUERP read actions
through this module; analytics gets them as a DataFrame (`actions_frame`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from analytics.catalogue import CATALOGUE
from app.context import Campus
from core.errors import InputError
from core.i18n import _
from core.vocabulary import (
    ACTION_KINDS,
    ACTION_STATUSES,
    AXES,
    STARTED_STATUSES,
    month_bounds,
)
from sync.mirror import store

TITLE_MIN, TITLE_MAX = 3, 140
NAME_MIN = 3  # usernames and full names shorter than this are not looked for in titles
MAX_NAME_WORDS = 8  # a full name longer than this many words is not looked for
EARLIEST_START = date(2000, 1, 1)
LATEST_AHEAD = timedelta(days=366)  # a planned action starts within a year
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MENTION = re.compile(r"@\w")
_WORD = re.compile(r"\w+")
_USERNAME_LIKE = re.compile(r"[\w.\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ActionInputError(InputError):
    """A field of an action that cannot be accepted; `field` names it (the web page says which)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownAction(InputError):
    """No action has this id."""


@dataclass(frozen=True)
class Author:
    """Who records or changes an action: the logged-in member's Discourse id and username."""

    user_id: int
    username: str


@dataclass(frozen=True)
class ActionRecord:
    """One action of the log. `month` is the report whose cards it was recorded from."""

    id: int
    cooperative: str
    month: str
    axis: str
    indicator: str | None
    kind: str
    title: str
    started: date
    status: str
    created_at: datetime
    updated_at: datetime

    @property
    def start_month(self) -> str:
        """The month ("YYYY-MM") the action started in."""
        return self.started.strftime("%Y-%m")


@dataclass(frozen=True)
class ActionStep:
    """One step of an action's history: the status and title after it, when, and who (naive
    UTC time; the author is for animators' eyes only)."""

    action_id: int
    changed_at: datetime
    author: str
    status: str
    title: str


@dataclass(frozen=True)
class OfferedCard:
    """A vigilance card of a month's report that an action can answer: its axis, the indicators
    whose points it holds, its status and severity (as `indicators.json` carries them)."""

    axis: str
    indicators: tuple[str, ...]
    status: str
    severity: str


ACTION_FRAME_COLUMNS = tuple(field.name for field in fields(ActionRecord))


# ---------------------------------------------------------------------- validation


def check_kind(kind: str) -> str:
    """`kind` if it is one of the action kinds, else an `ActionInputError` on `kind`."""
    value = (kind or "").strip()
    if value not in ACTION_KINDS:
        raise ActionInputError(
            "kind",
            _(
                "Type d'action « {value} » inconnu : choisissez parmi {choices}.",
                value=value,
                choices=", ".join(ACTION_KINDS),
            ),
        )
    return value


def check_status(status: str) -> str:
    """`status` if it is one of the statuses, else an `ActionInputError` on `status`."""
    value = (status or "").strip()
    if value not in ACTION_STATUSES:
        raise ActionInputError(
            "status",
            _(
                "Statut « {value} » inconnu : choisissez parmi {choices}.",
                value=value,
                choices=", ".join(ACTION_STATUSES),
            ),
        )
    return value


def check_axis(axis: str) -> str:
    """`axis` if it is a Gollac axis id of the reports, else an `ActionInputError` on `axis`."""
    value = (axis or "").strip()
    if value not in AXES:
        raise ActionInputError(
            "axis",
            _(
                "Axe « {value} » inconnu : choisissez parmi {choices}.",
                value=value,
                choices=", ".join(AXES),
            ),
        )
    return value


def check_indicator(indicator: str | None, axis: str) -> str | None:
    """None for no indicator, else an indicator id of the catalogue on `axis`."""
    value = (indicator or "").strip()
    if not value:
        return None
    spec = CATALOGUE.get(value)
    if spec is None:
        raise ActionInputError(
            "indicator",
            _(
                "Indicateur « {value} » inconnu : choisissez un indicateur du rapport, ou aucun.",
                value=value,
            ),
        )
    if spec.axis != axis:
        raise ActionInputError(
            "indicator",
            _(
                "L'indicateur « {value} » ne relève pas de l'axe « {axis} » : choisissez un"
                " indicateur de cet axe, ou aucun.",
                value=value,
                axis=axis,
            ),
        )
    return value


def check_started(started: str | date, status: str, today: date) -> date:
    """The start date (YYYY-MM-DD): from 2000 on, within a year from `today`, and not after
    `today` for an action under way or done."""
    if isinstance(started, date):
        value = started
    else:
        text = (started or "").strip()
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            value = date.fromisoformat(text)
        except ValueError:
            raise ActionInputError(
                "started",
                _(
                    "Date de début « {value} » invalide : attendu AAAA-MM-JJ (ex. 2026-11-02).",
                    value=text,
                ),
            ) from None
    if value < EARLIEST_START or value > today + LATEST_AHEAD:
        raise ActionInputError(
            "started",
            _(
                "Date de début {value} hors des limites : indiquez une date entre le {first} et"
                " le {last}.",
                value=value.isoformat(),
                first=EARLIEST_START.isoformat(),
                last=(today + LATEST_AHEAD).isoformat(),
            ),
        )
    if status in ("en_cours", "faite") and value > today:
        raise ActionInputError(
            "started",
            _(
                "Une action en cours ou faite ne peut pas commencer après aujourd'hui ({today}) :"
                " corrigez la date, ou choisissez le statut « prevue ».",
                today=today.isoformat(),
            ),
        )
    return value


def check_title(conn: Connection, title: str) -> str:
    """The title, spaces tidied; refused when empty, too long, or when it names a member."""
    value = " ".join((title or "").split())
    if _CONTROL.search(value) or not TITLE_MIN <= len(value) <= TITLE_MAX:
        raise ActionInputError(
            "title",
            _(
                "Titre invalide : de {low} à {high} caractères, sur une ligne.",
                low=TITLE_MIN,
                high=TITLE_MAX,
            ),
        )
    if _MENTION.search(value):
        raise ActionInputError(
            "title",
            _(
                "Le titre contient une mention (@…) : décrivez l'action sans nommer ni mentionner"
                " personne."
            ),
        )
    named = named_member(conn, value)
    if named is not None:
        raise ActionInputError(
            "title",
            _(
                "Le titre nomme un membre du forum (« {word} ») : décrivez l'action sans nommer"
                " personne.",
                word=named,
            ),
        )
    return value


def named_member(conn: Connection, text: str) -> str | None:
    """The first word or words of `text` that name a member — a whole-word username of
    `NAME_MIN` characters or more, or a member's full name — or None."""
    words = {word for word in _WORD.findall(text) if len(word) >= NAME_MIN}
    for run in _USERNAME_LIKE.findall(text):
        trimmed = run.strip(".-")
        if len(trimmed) >= NAME_MIN:
            words.add(trimmed)
    lowered = {word.lower(): word for word in words}
    usernames = store.usernames_among(conn, lowered)
    if usernames:
        return lowered[usernames[0].lower()]
    # a full name is found as a run of whole words: both sides compared as their words
    title_words = _WORD.findall(text.casefold())
    runs = {
        " ".join(title_words[start : start + size])
        for size in range(1, MAX_NAME_WORDS + 1)
        for start in range(len(title_words) - size + 1)
    }
    fragments = {word for word in title_words if len(word) >= 2}
    for name in store.member_full_names(conn, fragments):
        wanted = _name_words(name)
        if len(wanted) >= NAME_MIN and wanted in runs:
            return name
    return None


@functools.lru_cache(maxsize=65536)
def _name_words(name: str) -> str:
    """A full name as its words, case-folded, one space apart (« Hélène Dupont-Martin » →
    « hélène dupont martin »); cached, since every title is compared with every member."""
    return " ".join(_WORD.findall(name.casefold()))


def check_cooperative(campus: Campus, cooperative: str) -> str:
    """The slug of a cooperative of cooperatives.csv, else an `ActionInputError`."""
    if cooperative not in campus.cooperative_slugs():
        raise ActionInputError(
            "cooperative",
            _("Coopérative « {slug} » inconnue (cooperatives.csv).", slug=cooperative),
        )
    return cooperative


def check_month(campus: Campus, month: str) -> str:
    """The report month (YYYY-MM), else an `ActionInputError` on `month`."""
    try:
        month_bounds(month, campus.timezone)
    except InputError as error:
        raise ActionInputError("month", str(error)) from None
    return month


# ---------------------------------------------------------------------- writing


def _stamp(campus: Campus) -> datetime:
    return campus.now().astimezone(UTC).replace(tzinfo=None)


def record_action(
    campus: Campus,
    cooperative: str,
    month: str,
    *,
    axis: str,
    indicator: str | None,
    kind: str,
    title: str,
    started: str | date,
    status: str,
    author: Author,
) -> ActionRecord:
    """Validate and record a new action of `cooperative` from the cards of `month`'s report.

    Every field is checked before anything is written; the first wrong one raises
    `ActionInputError` naming it. The first step of the history carries `author`."""
    slug = check_cooperative(campus, cooperative)
    month = check_month(campus, month)
    axis = check_axis(axis)
    indicator = check_indicator(indicator, axis)
    kind = check_kind(kind)
    status = check_status(status)
    started_on = check_started(started, status, campus.today())
    # read first, then write in a transaction that starts with its write: a SQLite transaction
    # that reads before writing cannot take the write lock once another writer went first
    with campus.engine.connect() as conn:
        clean_title = check_title(conn, title)
    with campus.engine.begin() as conn:
        action_id = store.add_action(
            conn,
            cooperative=slug,
            month=month,
            axis=axis,
            indicator=indicator,
            kind=kind,
            title=clean_title,
            started=started_on,
            status=status,
            at=_stamp(campus),
            author_id=author.user_id,
            author=author.username,
        )
        row = store.action_row(conn, action_id)
    return _record(row)


def change_action(
    campus: Campus,
    action_id: int,
    *,
    author: Author,
    status: str | None = None,
    title: str | None = None,
) -> ActionRecord:
    """Change an action's status and/or title (None: unchanged) and keep the step with its
    author; a change to nothing new writes nothing. `UnknownAction` if there is no such action."""
    new_status = None if status is None else check_status(status)
    with campus.engine.connect() as conn:  # reads apart from the write (see record_action)
        row = store.action_row(conn, action_id)
        if row is None:
            raise UnknownAction(_("Action n° {id} inconnue.", id=action_id))
        new_title = row["title"] if title is None else check_title(conn, title)
    new_status = new_status or row["status"]
    if (new_status, new_title) == (row["status"], row["title"]):
        return _record(row)
    with campus.engine.begin() as conn:
        if not store.change_action(
            conn,
            action_id,
            status=new_status,
            title=new_title,
            at=_stamp(campus),
            author_id=author.user_id,
            author=author.username,
        ):
            raise UnknownAction(_("Action n° {id} inconnue.", id=action_id))
        row = store.action_row(conn, action_id)
    return _record(row)


# ---------------------------------------------------------------------- reading


def _record(row: dict) -> ActionRecord:
    started = row["started"]
    if isinstance(started, datetime):
        started = started.date()
    return ActionRecord(**{**row, "started": started})


def get_action(campus: Campus, action_id: int) -> ActionRecord | None:
    """The action with this id, or None."""
    with campus.engine.connect() as conn:
        row = store.action_row(conn, action_id)
    return None if row is None else _record(row)


def cooperative_actions(campus: Campus, cooperative: str) -> list[ActionRecord]:
    """All the actions of one cooperative, by start date."""
    with campus.engine.connect() as conn:
        return [_record(row) for row in store.action_rows(conn, cooperative)]


def all_actions(campus: Campus) -> list[ActionRecord]:
    """Every action of the network (for the network report, the lab, the animators), by start."""
    with campus.engine.connect() as conn:
        return [_record(row) for row in store.action_rows(conn)]


def action_history(campus: Campus, action_ids: Iterable[int]) -> dict[int, list[ActionStep]]:
    """The history of each action, oldest step first, with its authors (animators only)."""
    with campus.engine.connect() as conn:
        rows = store.action_changes(conn, action_ids)
    history: dict[int, list[ActionStep]] = {}
    for row in rows:
        step = ActionStep(
            action_id=row["action_id"],
            changed_at=row["changed_at"],
            author=row["author"],
            status=row["status"],
            title=row["title"],
        )
        history.setdefault(step.action_id, []).append(step)
    return history


def report_cards(campus: Campus, month: str, cooperative: str) -> list[OfferedCard] | None:
    """The vigilance cards of `cooperative` in `month`'s report (resolved ones left out), or None
    when that month has no report: then every axis is offered alike."""
    path = campus.reports_dir / month / "indicators.json"
    try:
        vigilance = _vigilance(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return None
    return [
        OfferedCard(
            axis=card["axis"],
            indicators=tuple(card.get("indicators") or ()),
            status=card.get("status", ""),
            severity=card.get("severity", ""),
        )
        for card in vigilance
        if card.get("scope") == cooperative
        and card.get("axis") in AXES
        and card.get("status") != "resolved"
    ]


@functools.lru_cache(maxsize=8)
def _vigilance(path: str, mtime_ns: int) -> list[dict]:
    """The `vigilance` list of a month's `indicators.json`, read once per version of the file
    (`mtime_ns` is part of the key: a report written again is read again)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle).get("vigilance", [])


def actions_frame(actions: Iterable[ActionRecord]) -> pd.DataFrame:
    """The actions as a DataFrame for analytics and reports (one row per action, the columns of
    `ActionRecord` plus `start_month`); empty with the same columns when there is none."""
    rows = [{**asdict(action), "start_month": action.start_month} for action in actions]
    return pd.DataFrame(rows, columns=[*ACTION_FRAME_COLUMNS, "start_month"])


def kind_starts(actions: Iterable[ActionRecord], kind: str) -> dict[str, str]:
    """For the lab: cooperative slug → the month ("YYYY-MM") of its first start of an action of
    `kind` that was started (status en_cours, faite or abandonnee)."""
    starts: dict[str, str] = {}
    for action in actions:
        if action.kind != kind or action.status not in STARTED_STATUSES:
            continue
        month = action.start_month
        if action.cooperative not in starts or month < starts[action.cooperative]:
            starts[action.cooperative] = month
    return dict(sorted(starts.items()))
