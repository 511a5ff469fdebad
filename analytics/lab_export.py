"""The pseudonymised research extract of the QVT lab (DESIGN §11): pure panels, no I/O.

Two panels, both at the month level (the only time resolution researchers get):

- **person-month**: one row per member and month since their account existed, with counts and
  shares of what they did on the forum (no text, no title, no timestamp finer than the month).
  Members are named by a keyed pseudonym, HMAC-SHA256 of their Discourse account id under the
  research key (held by the DPO): the same key gives the same pseudonym in every export, another
  key unlinkable ones, and without the key nobody can go back from a pseudonym to an account.
  Every month × cooperative × role cell has at least `min_group_size` people: smaller role cells
  of a cooperative-month are merged into one `regroupe` role, still smaller ones into one
  `regroupee` cooperative of the month, and what is still too small is left out.
- **cooperative-month**: the monthly report's indicators (barometer averages included) per
  cooperative, with the report's own suppression: a value (and its n) withheld where the report
  withholds it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.score import DEFAULT_OPTOUT_GROUP

MERGED_ROLE = "regroupe"
UNKNOWN_ROLE = "inconnu"  # a member of a cooperative's group but of no role group
MERGED_COOPERATIVE = "regroupee"
PSEUDONYM_LENGTH = 20  # hex digits: 80 bits, no collision in a network of thousands

PERSON_FEATURES: dict[str, tuple[str, str, str]] = {
    # column: (definition, unit, Gollac axis)
    "posts": ("Messages écrits dans le mois (sujets et réponses, partout sur le forum).", "nombre", "rapports_sociaux"),
    "topics": ("Sujets ouverts dans le mois.", "nombre", "rapports_sociaux"),
    "replies": ("Réponses écrites dans le mois (messages autres que le premier d'un sujet).", "nombre", "rapports_sociaux"),
    "questions": ("Sujets ouverts dans le mois dans une catégorie où une réponse peut être acceptée (Entraide, Campus).", "nombre", "rapports_sociaux"),
    "first_responses": ("Premières réponses données dans le mois à la question d'une autre personne.", "nombre", "rapports_sociaux"),
    "accepted_answers": ("Messages écrits dans le mois et acceptés comme solution (à la date de l'export).", "nombre", "autonomie"),
    "likes_received": ("Likes reçus (à la date de l'export) par les messages écrits dans le mois.", "nombre", "rapports_sociaux"),
    "after_hours_share": ("Part des messages du mois écrits entre 20 h et 7 h (heure locale) ou le week-end ; vide sans message.", "part (0–1)", "intensite"),
    "cross_coop_reply_share": ("Part des réponses du mois adressées à une personne d'une autre coopérative ; vide sans réponse adressée.", "part (0–1)", "rapports_sociaux"),
}  # fmt: skip

PERSON_KEYS: dict[str, tuple[str, str]] = {
    "person": ("Pseudonyme de la personne : HMAC-SHA256 de son identifiant de compte sous la clé de recherche (20 premiers chiffres hexadécimaux) ; stable d'un export à l'autre avec la même clé.", "identifiant"),
    "month": ("Mois (AAAA-MM), coupé à minuit dans le fuseau du réseau.", "mois"),
    "cooperative": (f"Slug de la coopérative de la personne ; « {MERGED_COOPERATIVE} » : personnes de petites cellules de plusieurs coopératives réunies pour le mois.", "code"),
    "role": (f"Rôle : entrepreneur, appui, direction, « {UNKNOWN_ROLE} » (membre d'une coopérative sans groupe de rôle) ; « {MERGED_ROLE} » : rôles réunis parce qu'une cellule comptait moins de personnes que le seuil.", "code"),
}  # fmt: skip


def pseudonym(key: bytes, user_id: int) -> str:
    """The keyed pseudonym of an account: HMAC-SHA256 of its id, first `PSEUDONYM_LENGTH` hex."""
    digest = hmac.new(key, f"campus-user:{int(user_id)}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


def _month_of(stamps: pd.Series, tz: str) -> pd.Series:
    """`YYYY-MM` of tz-aware UTC timestamps, in the network's time zone."""
    local = stamps.dt.tz_convert(tz).dt.tz_localize(None)
    return local.dt.to_period("M").astype(str)


def person_month(
    activity: Activity,
    months: Iterable[str],
    key: bytes,
    min_group_size: int,
    optout_group: str = DEFAULT_OPTOUT_GROUP,
) -> pd.DataFrame:
    """The person-month panel (see the module's docstring), suppressed and pseudonymised.

    Members of the opt-out group are left out: having objected to being counted in the scores,
    they are not handed to researchers person by person either (they stay in the cooperative
    figures, which name nobody)."""
    months = list(months)
    tz = activity.tz
    memberships = activity.forum.memberships
    optout = memberships.loc[memberships["group"] == optout_group, "user_id"]
    members = activity.members[~activity.members["id"].isin(optout)]
    users = activity.forum.users.set_index("id")
    # a member's rows start with their account (or their first post, if the mirror has it earlier)
    created = users["created_at"].reindex(members["id"])
    first_post = activity.first_post.reindex(members["id"])
    since = pd.concat([created, first_post], axis=1).min(axis=1)
    first_month = _month_of(since.fillna(pd.Timestamp(0, tz="UTC")), tz).to_numpy()
    first_month = np.where(since.isna().to_numpy(), months[0] if months else "", first_month)
    grid = pd.DataFrame(
        {
            "user_id": np.repeat(members["id"].to_numpy(), len(months)),
            "cooperative": np.repeat(members["cooperative"].to_numpy(), len(months)),
            "role": np.repeat(members["role"].fillna(UNKNOWN_ROLE).to_numpy(), len(months)),
            "month": np.tile(np.array(months, dtype=object), len(members)),
            "_since": np.repeat(first_month, len(months)),
        }
    )
    grid = grid[grid["month"] >= grid["_since"]].drop(columns="_since")

    posts = activity.posts[activity.posts["user_id"].isin(members["id"])]
    posts = posts.assign(month=_month_of(posts["created_at"], tz))
    by = ["user_id", "month"]
    counts = posts.groupby(by).agg(
        posts=("id", "size"),
        replies=("is_reply", "sum"),
        after_hours=("after_hours", "sum"),
        likes_received=("like_count", "sum"),
        accepted_answers=("accepted_answer", "sum"),
    )
    counts["topics"] = counts["posts"] - counts["replies"]
    questions = posts[~posts["is_reply"] & posts["accepted_answers"]].groupby(by).size()
    addressed = posts[posts["is_reply"] & posts["addressee_coop"].notna()]
    cross = (addressed["addressee_coop"] != addressed["author_coop"]).groupby(
        [addressed["user_id"], addressed["month"]]
    )
    topics = activity.topics
    responded = topics[topics["accepted_answers"] & topics["responded_at"].notna()]
    first_responses = (
        responded.assign(month=_month_of(responded["responded_at"], tz))
        .groupby(["responder", "month"])
        .size()
        .rename_axis(by)
    )
    features = counts.join(
        [
            questions.rename("questions"),
            first_responses.rename("first_responses"),
            cross.mean().rename("cross_coop_reply_share"),
        ],
        how="outer",
    )
    panel = grid.join(features, on=by)
    for column in ("posts", "topics", "replies", "questions", "first_responses"):
        panel[column] = panel[column].fillna(0).astype("int64")
    for column in ("accepted_answers", "likes_received"):
        panel[column] = panel[column].fillna(0).astype("int64")
    panel["after_hours_share"] = (panel["after_hours"] / panel["posts"]).where(panel["posts"] > 0)
    panel = _merge_small_cells(panel, min_group_size)
    ids = panel["user_id"].unique()
    names = {user_id: pseudonym(key, user_id) for user_id in ids.tolist()}
    panel.insert(0, "person", panel["user_id"].map(names))
    columns = [*PERSON_KEYS, *PERSON_FEATURES]
    return panel[columns].sort_values(["month", "cooperative", "role", "person"], ignore_index=True)


def _merge_small_cells(panel: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Every month × cooperative × role cell of at least `min_group_size` people (see module)."""
    size = panel.groupby(["month", "cooperative", "role"])["user_id"].transform("size")
    panel = panel.assign(role=panel["role"].where(size >= min_group_size, MERGED_ROLE))
    size = panel.groupby(["month", "cooperative", "role"])["user_id"].transform("size")
    small = size < min_group_size
    panel = panel.assign(
        cooperative=panel["cooperative"].where(~small, MERGED_COOPERATIVE),
        role=panel["role"].where(~small, MERGED_ROLE),
    )
    size = panel.groupby(["month", "cooperative", "role"])["user_id"].transform("size")
    return panel[size >= min_group_size]


def cooperative_month(
    activity: Activity, months: Iterable[str], min_group_size: int
) -> pd.DataFrame:
    """The report's indicators per cooperative and month, withheld as the report withholds them
    (value and n empty; an n of 0 stays: no data)."""
    rows = []
    for month in months:
        for scope, figures in activity.figures(month).items():
            if scope is None:
                continue
            withheld = activity.withheld(month, scope, min_group_size)
            row: dict = {"cooperative": scope, "month": month}
            for key, figure in figures.items():
                hidden = withheld[key] and figure.n > 0
                row[key] = None if hidden else figure.value
                row[f"{key}_n"] = None if hidden else figure.n
            rows.append(row)
    columns = ["cooperative", "month"]
    for key in CATALOGUE:
        columns += [key, f"{key}_n"]
    frame = pd.DataFrame(rows, columns=columns)
    for key in CATALOGUE:
        frame[f"{key}_n"] = frame[f"{key}_n"].astype("Int64")
    return frame


@dataclass(frozen=True)
class CodebookRow:
    """One variable of the extract: what it is, its unit, its Gollac axis and its source."""

    file: str
    column: str
    definition: str
    unit: str
    axis: str
    source: str


UNITS_FR = {
    "people": "personnes",
    "count": "nombre",
    "share": "part (0–1)",
    "hours": "heures",
    "scale": "moyenne sur l'échelle 1–5",
}


def codebook(person_file: str, cooperative_file: str) -> list[CodebookRow]:
    """Every column of both panels, defined."""
    forum = "miroir du forum Discourse (horodatages et structure des échanges, aucun texte)"
    rows = [
        CodebookRow(person_file, column, definition, unit, "", "Campus")
        for column, (definition, unit) in PERSON_KEYS.items()
    ]
    rows += [
        CodebookRow(person_file, column, definition, unit, axis, forum)
        for column, (definition, unit, axis) in PERSON_FEATURES.items()
    ]
    rows += [
        CodebookRow(
            cooperative_file, "cooperative", "Slug de la coopérative.", "code", "", "Campus"
        ),
        CodebookRow(cooperative_file, "month", PERSON_KEYS["month"][0], "mois", "", "Campus"),
    ]
    for key, spec in CATALOGUE.items():
        source = (
            "baromètre QVT anonyme (totaux agrégés uniquement)"
            if key.startswith("pulse_")
            else forum
        )
        rows.append(
            CodebookRow(
                cooperative_file,
                key,
                spec.definition
                + " Vide : masqué (moins de personnes que le seuil, ou masquage complémentaire) ou sans objet.",
                UNITS_FR.get(spec.unit, spec.unit),
                spec.axis,
                source,
            )
        )
        rows.append(
            CodebookRow(
                cooperative_file,
                f"{key}_n",
                f"Nombre de personnes sur lequel porte « {key} » (vide quand la valeur est masquée).",
                "personnes",
                spec.axis,
                source,
            )
        )
    return rows
