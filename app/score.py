"""`campus score`: who helps the others, over a period; and the recognition of the first N
(the transformers group, a badge). The worker writes the last 30 days' scores daily."""

from __future__ import annotations

from dataclasses import dataclass

from analytics import scoring as score_engine
from app.context import Campus
from core.errors import Deferred, InputError
from core.i18n import _, ngettext
from core.vocabulary import parse_period
from sync.forum import recognition
from sync.mirror import store
from sync.mirror.loader import load_forum


@dataclass(frozen=True)
class ScoreQuery:
    """What `campus score` asks (its options, already checked against each other)."""

    period: str = "last30"
    coop: str | None = None
    top: int | None = None
    exclude_staff: bool = False
    by_theme: bool = False
    username: str | None = None
    fmt: str = "table"
    apply: bool = False

    def __post_init__(self) -> None:
        """Refuse (exit 2) the options that do not go together, before anything is opened."""
        if self.apply and self.by_theme:
            raise InputError(
                _(
                    "--apply propose les N premiers du score général : il ne se combine pas avec"
                    " --by-theme (--by-category)."
                )
            )
        if self.username and (self.apply or self.by_theme):
            raise InputError(
                _("--user explique une ligne du score général : sans --apply ni --by-theme.")
            )


def scores(campus: Campus, query: ScoreQuery) -> tuple[str, list[str]]:
    """The text `campus score` prints, and the usernames `--apply` would propose."""
    start, end = parse_period(query.period, campus.timezone, campus.now())
    forum = load_forum(campus.engine, score_only=True)
    weights = campus["score"]
    optout_group = campus["template"].optout_group
    options = dict(
        start=start,
        end=end,
        coop=query.coop,
        exclude_staff=query.exclude_staff,
        optout_group=optout_group,
    )
    if query.username:
        table = score_engine.score(forum, weights, **options)
        line = table.loc[table["username"] == query.username]
        if line.empty:
            reason = score_engine.why_absent(forum, query.username, optout_group)
            return ("[]" if query.fmt == "json" else reason), []
        if query.fmt == "table":
            return score_engine.explain(table, query.username, weights), []
        return score_engine.render_scores(line, query.fmt), []
    if query.by_theme:
        table = score_engine.expertise_map(forum, weights, top=query.top or 3, **options)
    else:
        table = score_engine.score(forum, weights, **options)
        if query.top or query.apply:
            table = table.head(query.top or campus["recognition"].top)
    usernames = table["username"].tolist() if query.apply else []
    return score_engine.render_scores(table, query.fmt), usernames


class Recognition:
    """Propose people to the transformers group (and the badge): a plan first, to be shown and
    confirmed, then applied through the same client."""

    def __init__(self, campus: Campus) -> None:
        self.settings = campus["recognition"]
        self.group = campus["template"].transformers_group
        self.client = campus.open_client()

    def plan(self, usernames: list[str]) -> recognition.RecognitionPlan:
        """What would change on the forum (read only)."""
        settings = self.settings
        return recognition.plan_recognition(
            self.client,
            usernames,
            group=self.group,
            badge=settings.badge_name if settings.grant_badge else None,
        )

    def apply(self, plan: recognition.RecognitionPlan) -> recognition.RecognitionResult:
        """Apply `plan` on the forum."""
        return recognition.apply_recognition(
            self.client, plan, badge_description=self.settings.badge_description
        )


def write_scores(campus: Campus) -> str:
    """The last 30 days' scores into scores/last30.csv (animator-facing, with names: kept apart
    from the directors' report folders); the line the worker prints. Only from a whole mirror:
    after a failed or interrupted sync the previous file stays (`Deferred`, retried later)."""
    with campus.engine.connect() as conn:
        last_sync = store.last_sync_outcome(conn)
    if last_sync != "success":
        raise Deferred(
            _(
                "Scores non recalculés : la dernière synchronisation n'a pas abouti ({outcome}),"
                " le miroir est peut-être incomplet. scores/last30.csv garde les scores"
                " précédents jusqu'à la prochaine synchronisation réussie.",
                outcome=last_sync or _("aucune"),
            )
        )
    start, end = parse_period("last30", campus.timezone, campus.now())
    forum = load_forum(campus.engine, score_only=True)
    table = score_engine.score(
        forum, campus["score"], start=start, end=end, optout_group=campus["template"].optout_group
    )
    target = campus.scores_dir / "last30.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    # the same CSV as `campus score --format csv` (cells never start a formula), written
    # beside and then renamed: a reader never sees half a file
    partial = target.with_name(target.name + ".partial")
    partial.write_text(score_engine.render_scores(table, "csv") + "\n", encoding="utf-8")
    partial.replace(target)
    return ngettext(
        "{n} personne classée sur 30 jours → {path}",
        "{n} personnes classées sur 30 jours → {path}",
        len(table),
        path=target,
    )
