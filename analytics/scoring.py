"""Peer contributor score (DESIGN §6): who helps others, as a transparent sum of components.

The score exists to recognise and mobilise the people who help, never to rank or sanction
workers. Every component is returned next to the total, and the components always add up to it.

Definitions (all counted over the period `[start, end)`, by the creation time of the post):

- **valid post**: a regular post (`post_type` 1) that is neither deleted nor hidden, in a topic
  that is not deleted (private messages are not in the `Forum` at all). Nothing else ever counts.
- **reply**: a valid post with `post_number > 1`, written by a real member (id > 0) in a topic
  whose author is another real member, and that is not a self-reply (it does not answer, through
  `reply_to_post_number`, a post of its own author). Replies in one's own topic are not replies.
  Each reply is worth `reply` points.
- **first response**: the earliest reply of a topic (by time, then post number), whoever wrote
  it (scored or not) and whenever it was written; its author gets `first_response` more points if
  it falls in the period. A later post can never take it away.
- **newcomer's first topic**: the earliest non-deleted topic of its author. Every reply in it earns
  `newcomer_first_topic` more points.
- **cross-cooperative reply**: a reply whose author and topic author both have a cooperative, and
  different ones. Its points (reply + first response + newcomer bonus) are multiplied by
  `cross_coop_multiplier`; the extra points are shown as their own component `cross_coop`.
- **person helped**: each distinct topic author the person replied to in the period (within the
  same theme for the expertise map): `person_helped` points each.
- **solution**: an accepted answer (flag on the post or row of `solutions`) that is a reply as
  defined above, written in the period: `solution` points.
- **like received**: likes on the person's valid posts written in the period (replies and topics
  alike), at most `like_cap_per_post` per post, `like` points each. When the mirror knows who liked
  a post (`likes` rows), likes by the author themself and by system accounts are dropped;
  otherwise the post's `like_count` is used (Discourse forbids liking one's own post).
- **topic created**: the first post of a valid topic: `topic` points.

Who is scored: members with id > 0 who are neither suspended, deleted nor staged, and not in the
opt-out group; optionally without the `appui` role, optionally only one cooperative's members
(their help anywhere in the network counts). People scoring 0 are left out.
"""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from analytics.settings import ScoreWeights
from core.errors import InputError
from core.forum import Forum
from core.i18n import _, current_lang, ngettext
from core.safe_text import csv_safe
from core.vocabulary import unknown_cooperative

# the breakdown, in the order it is shown; each is a column of points of `score()`
COMPONENTS = (
    "reply",
    "first_response",
    "newcomer_first_topic",
    "cross_coop",
    "solution",
    "like",
    "person_helped",
    "topic",
)
PEOPLE_COLUMNS = ("user_id", "username", "cooperative", "role")
REGULAR_POST = 1
STAFF_ROLE = "appui"
DEFAULT_OPTOUT_GROUP = "campus-optout"
_POST_NUMBER_BITS = 22  # (topic_id, post_number) packed in one int64 key

COUNT_PREFIX = "n_"  # `n_<component>`: what happened, beside the points of `<component>`
THEME_PREFIX_TAG = "#"  # a tag theme is shown as "#name", a category theme by its name


def _headers(lang: str) -> dict[str, str]:
    """Column titles of the table and of `csv-fr`, in `lang`."""
    return {
        "theme": _("Thème", lang=lang),
        "rank": _("Rang", lang=lang),
        "username": _("Nom", lang=lang),
        "cooperative": _("Coopérative", lang=lang),
        "role": _("Rôle", lang=lang),
        "score": _("Score", lang=lang),
        "reply": _("Réponses", lang=lang),
        "first_response": _("1res réponses", lang=lang),
        "newcomer_first_topic": _("Nouveaux", lang=lang),
        "cross_coop": _("Inter-coop", lang=lang),
        "solution": _("Solutions", lang=lang),
        "like": _("J'aime", lang=lang),
        "person_helped": _("Pers. aidées", lang=lang),
        "topic": _("Sujets", lang=lang),
    }


def _ids(series: pd.Series) -> np.ndarray:
    """User ids as int64, a missing id (NULL) becoming 0, i.e. no real member."""
    return series.fillna(0).to_numpy(dtype="int64")


def eligible_people(
    forum: Forum,
    *,
    coop: str | None = None,
    exclude_staff: bool = False,
    optout_group: str = DEFAULT_OPTOUT_GROUP,
) -> pd.DataFrame:
    """The people who may be scored: `user_id, username, cooperative, role` (see module doc)."""
    users = forum.users
    optout = forum.memberships.loc[forum.memberships["group"] == optout_group, "user_id"]
    keep = (
        (users["id"] > 0)
        & ~users["suspended"]
        & ~users["deleted"]
        & ~users["staged"]
        & ~users["id"].isin(optout)
    )
    if exclude_staff:
        keep &= users["role"].ne(STAFF_ROLE)
    if coop is not None:
        known = set(users["cooperative"].dropna()) | set(forum.categories["root_slug"].dropna())
        if coop not in known:
            raise unknown_cooperative(coop, known)
        keep &= users["cooperative"].eq(coop)
    people = users.loc[keep, ["id", "username", "cooperative", "role"]]
    return people.rename(columns={"id": "user_id"}).reset_index(drop=True)


def _reply_facts(forum: Forum) -> pd.DataFrame:
    """Per post: valid, reply, first response, newcomer topic and cross-cooperative flags."""
    posts = forum.posts
    author = _ids(posts["user_id"])
    topic_author = _ids(posts["topic_user_id"])
    topic_id = posts["topic_id"].to_numpy(dtype="int64")
    number = posts["post_number"].to_numpy(dtype="int64")
    valid = (
        (posts["post_type"].to_numpy() == REGULAR_POST)
        & posts["deleted_at"].isna().to_numpy()
        & ~posts["hidden"].to_numpy(dtype=bool)
        & ~posts["topic_deleted"].to_numpy(dtype=bool)
        & (author > 0)
    )

    # self-reply: the post answers (reply_to_post_number) a post of its own author
    keys = pd.Index((topic_id << _POST_NUMBER_BITS) | number)
    parent_number = posts["reply_to_post_number"].fillna(0).to_numpy(dtype="int64")
    parent = keys.get_indexer((topic_id << _POST_NUMBER_BITS) | parent_number)
    parent_author = np.where(parent >= 0, author[np.maximum(parent, 0)], 0)
    self_reply = (parent_number > 0) & (parent_author == author)

    reply = valid & (number > 1) & (topic_author > 0) & (author != topic_author) & ~self_reply

    # first response: the earliest reply of each topic, whenever written
    candidates = pd.DataFrame(
        {
            "topic_id": topic_id[reply],
            "created_at": posts["created_at"].dt.tz_convert(None).to_numpy()[reply],
        }
    )
    candidates["number"] = number[reply]
    candidates["row"] = np.flatnonzero(reply)
    candidates = candidates.sort_values(["topic_id", "created_at", "number"], kind="stable")
    first_rows = candidates.loc[~candidates["topic_id"].duplicated(), "row"].to_numpy()
    first = np.zeros(len(posts), dtype=bool)
    first[first_rows] = True

    # newcomer: replies in the earliest non-deleted topic of its author
    topics = forum.topics
    own = topics.loc[topics["deleted_at"].isna() & (topics["user_id"].fillna(0) > 0)]
    first_topics = own.sort_values(["created_at", "id"]).drop_duplicates("user_id")["id"]
    newcomer = reply & np.isin(topic_id, first_topics.to_numpy(dtype="int64"))

    # cross-cooperative: both authors have a cooperative, and they differ
    users = forum.users
    coop_codes, _ = pd.factorize(users["cooperative"])  # -1 for no cooperative
    user_index = pd.Index(users["id"].to_numpy(dtype="int64"))

    def coop_of(ids: np.ndarray) -> np.ndarray:
        position = user_index.get_indexer(ids)
        return np.where(position >= 0, coop_codes[np.maximum(position, 0)], -1)

    author_coop, topic_coop = coop_of(author), coop_of(topic_author)
    cross = reply & (author_coop >= 0) & (topic_coop >= 0) & (author_coop != topic_coop)

    return pd.DataFrame(
        {
            "valid": valid,
            "reply": reply,
            "first": first & reply,
            "newcomer": newcomer,
            "cross": cross,
        }
    )


def _likes_per_post(forum: Forum, cap: int) -> np.ndarray:
    """Likes counted for each post (aligned with `forum.posts`), capped at `cap`."""
    posts, likes = forum.posts, forum.likes
    author = _ids(posts["user_id"])
    position = pd.Index(posts["id"].to_numpy(dtype="int64")).get_indexer(
        likes["post_id"].to_numpy(dtype="int64")
    )
    mirrored = position >= 0
    known = np.zeros(len(posts), dtype=bool)
    known[position[mirrored]] = True
    liker = _ids(likes["user_id"])
    counted = mirrored & (liker > 0) & (liker != author[np.maximum(position, 0)])
    from_rows = np.bincount(position[counted], minlength=len(posts))
    from_count = posts["like_count"].fillna(0).to_numpy(dtype="int64")
    return np.minimum(np.where(known, from_rows, from_count), cap)


def topic_themes(forum: Forum) -> pd.DataFrame:
    """`topic_id, theme` of the expertise map: a topic's tags ("#tag", one row each), else its
    category's theme: a network category's name, or the kind of a cooperative's subcategory
    (every cooperative's « Entraide » is one theme). Never a cooperative's name: a topic right in
    a cooperative's top category has no theme."""
    categories = forum.categories
    coops = set(forum.users["cooperative"].dropna())
    in_coop_root = categories["parent_id"].isna() & categories["slug"].isin(coops)
    named = categories.loc[~in_coop_root, ["id", "name"]]
    by_category = forum.topics[["id", "category_id"]].merge(
        named, left_on="category_id", right_on="id", suffixes=("", "_category")
    )
    themes = by_category[["id", "name"]].rename(columns={"id": "topic_id", "name": "theme"})
    tags = forum.topic_tags
    if tags is not None and not tags.empty:
        tagged = pd.DataFrame(
            {"topic_id": tags["topic_id"].astype("int64"), "theme": THEME_PREFIX_TAG + tags["tag"]}
        )
        themes = pd.concat([tagged, themes[~themes["topic_id"].isin(tagged["topic_id"])]])
    return themes.reset_index(drop=True)


def _points(
    forum: Forum,
    weights: ScoreWeights,
    *,
    start: datetime,
    end: datetime,
    category_ids: set[int] | None,
    by_theme: bool,
) -> pd.DataFrame:
    """Points per component and what happened (`n_<component>`), indexed by `user_id` (and
    `theme` when `by_theme`)."""
    posts = forum.posts
    facts = _reply_facts(forum)
    created = posts["created_at"]
    keep = facts["valid"].to_numpy() & (created >= start).to_numpy() & (created < end).to_numpy()
    if category_ids is not None:
        keep &= posts["category_id"].isin(list(category_ids)).to_numpy()

    frame = pd.DataFrame({"user_id": _ids(posts["user_id"])})
    frame["topic_user_id"] = _ids(posts["topic_user_id"])
    reply = facts["reply"].to_numpy()
    first = facts["first"].to_numpy()
    newcomer = facts["newcomer"].to_numpy()
    cross = facts["cross"].to_numpy()
    reply_points = (
        weights.reply * reply
        + weights.first_response * first
        + weights.newcomer_first_topic * newcomer
    )
    bonus = max(weights.cross_coop_multiplier - 1.0, 0.0)
    accepted = (
        posts["accepted_answer"].to_numpy(dtype=bool)
        | posts["id"].isin(forum.solutions["post_id"]).to_numpy()
    )
    number = posts["post_number"].to_numpy()
    likes = _likes_per_post(forum, weights.like_cap_per_post)
    happened = {
        "reply": reply,
        "first_response": first,
        "newcomer_first_topic": newcomer,
        "cross_coop": cross & reply,
        "solution": accepted & reply,
        "like": likes,
        "topic": number == 1,
    }
    for component, count in happened.items():
        frame[COUNT_PREFIX + component] = count.astype("int64")
    frame["reply"] = weights.reply * reply
    frame["first_response"] = weights.first_response * first
    frame["newcomer_first_topic"] = weights.newcomer_first_topic * newcomer
    frame["cross_coop"] = bonus * reply_points * cross
    frame["solution"] = weights.solution * (accepted & reply)
    frame["like"] = weights.like * likes
    frame["topic"] = weights.topic * (number == 1)
    frame["is_reply"] = reply
    keys = ["user_id"]
    if by_theme:
        frame["topic_id"] = posts["topic_id"].to_numpy(dtype="int64")
        frame = frame.loc[keep].merge(topic_themes(forum), on="topic_id")
        keys.append("theme")
    else:
        frame = frame.loc[keep]

    summed = [c for c in COMPONENTS if c != "person_helped"]
    points = frame.groupby(keys, sort=False)[summed + [COUNT_PREFIX + c for c in happened]].sum()
    helped = (
        frame.loc[frame["is_reply"]].drop_duplicates([*keys, "topic_user_id"]).groupby(keys).size()
    )
    helped = helped.reindex(points.index, fill_value=0)
    points["person_helped"] = weights.person_helped * helped
    points[COUNT_PREFIX + "person_helped"] = helped.astype("int64")
    return points[[*COMPONENTS, *(COUNT_PREFIX + c for c in COMPONENTS)]]


def _ranked(people: pd.DataFrame, points: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Join points to people, total them, drop zeros, sort and rank (ties share a rank)."""
    table = people.merge(points.reset_index(), on="user_id", how="inner")
    table["score"] = table[list(COMPONENTS)].sum(axis=1)
    table = table.loc[table["score"] > 0]
    group_keys = keys[1:]
    table = table.sort_values(
        [*group_keys, "score", "username"], ascending=[*[True] * len(group_keys), False, True]
    )
    if group_keys:
        table["rank"] = table.groupby(group_keys)["score"].rank(method="min", ascending=False)
    else:
        table["rank"] = table["score"].rank(method="min", ascending=False)
    table["rank"] = table["rank"].astype("int64")
    counts = [COUNT_PREFIX + c for c in COMPONENTS]
    columns = [*group_keys, "rank", *PEOPLE_COLUMNS, "score", *COMPONENTS, *counts]
    return table[columns].reset_index(drop=True)


def score(
    forum: Forum,
    weights: ScoreWeights,
    *,
    start: datetime,
    end: datetime,
    coop: str | None = None,
    exclude_staff: bool = False,
    optout_group: str = DEFAULT_OPTOUT_GROUP,
    category_ids: set[int] | None = None,
) -> pd.DataFrame:
    """Score every eligible person over `[start, end)` (tz-aware): one row per person.

    Columns: `rank, user_id, username, cooperative, role, score` and one column of points per
    component of `COMPONENTS`, which add up to `score`. Sorted by score (highest first), then
    username; equal scores share a rank. `category_ids` restricts the activity counted to topics
    of those categories. Definitions and exclusions: see the module docstring.
    """
    people = eligible_people(
        forum, coop=coop, exclude_staff=exclude_staff, optout_group=optout_group
    )
    points = _points(
        forum, weights, start=start, end=end, category_ids=category_ids, by_theme=False
    )
    return _ranked(people, points, ["user_id"])


def expertise_map(
    forum: Forum,
    weights: ScoreWeights,
    *,
    start: datetime,
    end: datetime,
    coop: str | None = None,
    exclude_staff: bool = False,
    optout_group: str = DEFAULT_OPTOUT_GROUP,
    top: int = 3,
) -> pd.DataFrame:
    """The people to ask about each theme: the `top` best scores restricted to it.

    Themes are those of `topic_themes`: a topic's Discourse tags, else its network category or
    the kind of its cooperative subcategory (all the « Entraide » together), never a
    cooperative. Columns: `theme` then those of `score()`; ranks are per theme; likes,
    solutions, topics and people helped count only within the theme.
    """
    people = eligible_people(
        forum, coop=coop, exclude_staff=exclude_staff, optout_group=optout_group
    )
    points = _points(forum, weights, start=start, end=end, category_ids=None, by_theme=True)
    table = _ranked(people, points, ["user_id", "theme"])
    return table.groupby("theme", sort=True).head(top).reset_index(drop=True)


# --- output ------------------------------------------------------------------------------------


def _number(value: float) -> float | int:
    """Points as JSON/CSV numbers: integers stay integers, others keep two decimals at most."""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def score_records(table: pd.DataFrame) -> list[dict]:
    """The JSON contract of DESIGN §3: `rank, username, cooperative, role, score, breakdown`,
    and `activity`: what happened for each component (replies, people helped…).

    Rows of the expertise map also carry their `theme`; a missing cooperative or role is null.
    """
    records = []
    for row in table.to_dict("records"):
        record = {"theme": row["theme"]} if "theme" in row else {}
        record.update(
            rank=int(row["rank"]),
            username=row["username"],
            cooperative=None if pd.isna(row["cooperative"]) else row["cooperative"],
            role=None if pd.isna(row["role"]) else row["role"],
            score=_number(row["score"]),
            breakdown={component: _number(row[component]) for component in COMPONENTS},
            activity={component: int(row[COUNT_PREFIX + component]) for component in COMPONENTS},
        )
        records.append(record)
    return records


def _decimal(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=locale)


def render_scores(table: pd.DataFrame, fmt: str = "table", lang: str | None = None) -> str:
    """`table` (from `score` or `expertise_map`) as `table` (each component as "what happened ·
    points", headers in the user's language), `csv` (stable English column names, the points
    then the `<component>_count` columns), `csv-fr` (for a French spreadsheet: `;`, decimal
    comma, a BOM, French headers, "(nombre)" and "(points)" columns) or `json`."""
    if fmt == "json":
        return json.dumps(score_records(table), ensure_ascii=False, indent=2)
    lang = lang or current_lang()
    people = [c for c in ("theme", "rank", "username", "cooperative", "role") if c in table]
    counts = [COUNT_PREFIX + c for c in COMPONENTS]
    if fmt == "csv":
        shown = csv_safe(table[[*people, "score", *COMPONENTS, *counts]])
        shown.columns = [*people, "score", *COMPONENTS, *(f"{c}_count" for c in COMPONENTS)]
        return shown.to_csv(index=False, lineterminator="\n").rstrip("\n")
    headers = _headers(lang)
    if fmt == "csv-fr":
        columns = [*people, "score"]
        names = [headers[c] for c in columns]
        for component in COMPONENTS:
            columns += [COUNT_PREFIX + component, component]
            names += [
                _("{name} (nombre)", lang=lang, name=headers[component]),
                _("{name} (points)", lang=lang, name=headers[component]),
            ]
        shown = csv_safe(table[columns])
        shown.columns = names
        text = shown.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
        return "\ufeff" + text.rstrip("\r\n")
    if table.empty:
        return _("Aucune contribution à compter sur cette période.", lang=lang)
    locale = "fr_FR" if lang == "fr" else "en_GB"
    shown = table[[*people, "score"]].copy()
    shown["score"] = [_decimal(v, locale) for v in shown["score"]]
    for component in COMPONENTS:
        shown[component] = [
            f"{int(n)} · {_decimal(points, locale)}"
            for n, points in zip(table[COUNT_PREFIX + component], table[component], strict=True)
        ]
    shown = shown.fillna("-").rename(columns=headers)
    legend = _(
        "Chaque composante : ce qui s'est passé · les points gagnés (ex. « 3 · 6 » : 3 "
        "réponses, 6 points).",
        lang=lang,
    )
    return shown.to_string(index=False) + "\n\n" + legend


def explain(
    table: pd.DataFrame, username: str, weights: ScoreWeights, lang: str | None = None
) -> str:
    """One person's score line by line: what happened, times its points, for each component.

    `table` is `score()`'s; the person must be in it (see `why_absent` otherwise)."""
    lang = lang or current_lang()
    locale = "fr_FR" if lang == "fr" else "en_GB"
    row = table.loc[table["username"] == username].iloc[0]

    def number(value: float) -> str:
        return _decimal(value, locale)

    def count(component: str) -> int:
        return int(row[COUNT_PREFIX + component])

    lines = [
        _(
            "{username} ({cooperative}, {role}) : score {score}, rang {rank}.",
            lang=lang,
            username=username,
            cooperative=row["cooperative"] if pd.notna(row["cooperative"]) else "–",
            role=row["role"] if pd.notna(row["role"]) else "–",
            score=number(row["score"]),
            rank=int(row["rank"]),
        )
    ]
    simple = {
        "reply": ngettext(
            "{n} réponse dans le sujet de quelqu'un d'autre",
            "{n} réponses dans le sujet de quelqu'un d'autre",
            count("reply"),
            lang=lang,
        ),
        "first_response": ngettext(
            "{n} première réponse à un sujet",
            "{n} premières réponses à un sujet",
            count("first_response"),
            lang=lang,
        ),
        "newcomer_first_topic": ngettext(
            "{n} réponse au premier sujet d'un nouveau membre",
            "{n} réponses au premier sujet d'un nouveau membre",
            count("newcomer_first_topic"),
            lang=lang,
        ),
        "solution": ngettext(
            "{n} solution acceptée", "{n} solutions acceptées", count("solution"), lang=lang
        ),
        "like": ngettext(
            "{n} J'aime reçu (au plus {cap} par message)",
            "{n} J'aime reçus (au plus {cap} par message)",
            count("like"),
            lang=lang,
            cap=weights.like_cap_per_post,
        ),
        "person_helped": ngettext(
            "{n} personne aidée", "{n} personnes aidées", count("person_helped"), lang=lang
        ),
        "topic": ngettext("{n} sujet ouvert", "{n} sujets ouverts", count("topic"), lang=lang),
    }
    for component in COMPONENTS:
        if component == "cross_coop":
            lines.append(
                "  "
                + ngettext(
                    "{n} réponse à un membre d'une autre coopérative : ses points × {factor} → "
                    "+{points}",
                    "{n} réponses à des membres d'autres coopératives : leurs points × {factor} "
                    "→ +{points}",
                    count("cross_coop"),
                    lang=lang,
                    factor=number(weights.cross_coop_multiplier),
                    points=number(row["cross_coop"]),
                )
            )
            continue
        lines.append(
            "  "
            + _(
                "{what} × {weight} = {points}",
                lang=lang,
                what=simple[component],
                weight=number(getattr(weights, component)),
                points=number(row[component]),
            )
        )
    lines.append(_("  Total : {score}", lang=lang, score=number(row["score"])))
    return "\n".join(lines)


def why_absent(forum: Forum, username: str, optout_group: str = DEFAULT_OPTOUT_GROUP) -> str:
    """Why `username` has no score line: unknown (an `InputError`), not scored (opted out,
    suspended, deleted, staged, a system account) or nothing counted in the period."""
    users = forum.users
    found = users.loc[users["username"].str.lower() == username.lower()]
    if found.empty:
        raise InputError(
            _(
                "Membre « {username} » inconnu dans le miroir : vérifiez le nom d'utilisateur "
                "(celui du forum, sans @).",
                username=username,
            )
        )
    user = found.iloc[0]
    optout = forum.memberships.loc[forum.memberships["group"] == optout_group, "user_id"]
    if user["id"] in set(optout):
        return _("{username} a choisi de ne pas être compté·e (groupe {group}).",
                 username=username, group=optout_group)  # fmt: skip
    if user["id"] <= 0 or user["suspended"] or user["deleted"] or user["staged"]:
        return _("{username} n'est pas compté·e : compte système, suspendu, supprimé ou fantôme.",
                 username=username)  # fmt: skip
    return _("{username} n'a aucune contribution comptée sur cette période (score 0).",
             username=username)  # fmt: skip
