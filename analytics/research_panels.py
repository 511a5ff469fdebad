"""The pseudonymised research extract of the QVT lab (DESIGN §11): pure panels, no I/O.

Two panels:

- **person-quarter**: one row per member and complete calendar quarter of the window, with
  bands of what they did on the forum (no text, no title, no timestamp finer than the quarter).
  Members are named by a keyed pseudonym, HMAC-SHA256 of their Discourse account id under the
  research key (held by the DPO): the same key gives the same pseudonym in every export.
  The pseudonym alone protects nothing: anyone who reads the forum can count what each member
  posted, so every released record must be shared by at least `min_group_size` members of the
  forum on all it shows (k-anonymity against the forum itself, Sweeney 2002). See `person_panel`.
- **cooperative-month**: the monthly report's indicators (barometer averages included) per
  cooperative, with the report's own suppression: a value (and its n) withheld where the report
  withholds it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.pooling import own, publication
from analytics.scoring import DEFAULT_OPTOUT_GROUP

MERGED_ROLE = "regroupe"
UNKNOWN_ROLE = "inconnu"  # a member of a cooperative's group but of no role group
MERGED_COOPERATIVE = "regroupee"
PSEUDONYM_LENGTH = 20  # hex digits: 80 bits, no collision in a network of thousands

COUNT_BANDS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 5), (6, 20), (21, None))
"""Count bands: 0, 1-5, 6-20, 21+. Fixed, never fitted to the data: two exports band alike, so
a later export only refines an earlier one and their intersection is the later one's group."""
BANDS_TEXT = "tranche : 0, 1-5, 6-20, 21+ (21 ou plus)"

PERSON_FEATURES: dict[str, tuple[str, str, str]] = {
    # column: (definition, unit, Gollac axis); released in COUNT_BANDS
    "posts": ("Messages écrits dans le trimestre (sujets et réponses, partout sur le forum), en tranche fixe ; le nombre exact n'est pas publié : un lecteur du forum pourrait le recompter.", BANDS_TEXT, "rapports_sociaux"),
    "replies": ("Réponses écrites dans le trimestre (messages autres que le premier d'un sujet), en tranche fixe ; le nombre exact n'est pas publié.", BANDS_TEXT, "rapports_sociaux"),
}  # fmt: skip

PERSON_KEYS: dict[str, tuple[str, str]] = {
    "person": ("Pseudonyme de la personne : HMAC-SHA256 de son identifiant de compte sous la clé de recherche (20 premiers chiffres hexadécimaux) ; stable d'un export à l'autre avec la même clé.", "identifiant"),
    "quarter": ("Trimestre civil complet (AAAA-T1 à AAAA-T4), mois coupés à minuit dans le fuseau du réseau ; le trimestre en cours n'est jamais exporté.", "trimestre"),
    "cooperative": (f"Slug de la coopérative de la personne ; « {MERGED_COOPERATIVE} » : personnes de coopératives dont un rôle comptait moins de membres que le seuil, réunies.", "code"),
    "role": (f"Rôle : entrepreneur, appui, direction, « {UNKNOWN_ROLE} » (membre d'une coopérative sans groupe de rôle) ; « {MERGED_ROLE} » : rôles réunis parce que la coopérative comptait moins de membres de ce rôle que le seuil.", "code"),
}  # fmt: skip


def pseudonym(key: bytes, user_id: int) -> str:
    """The keyed pseudonym of an account: HMAC-SHA256 of its id, first `PSEUDONYM_LENGTH` hex."""
    digest = hmac.new(key, f"campus-user:{int(user_id)}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


def quarter_of(month: str) -> str:
    """`YYYY-Tn` of a `YYYY-MM` month (T for trimestre)."""
    year, number = month.split("-")
    return f"{year}-T{(int(number) - 1) // 3 + 1}"


def complete_quarters(months: Iterable[str]) -> dict[str, str]:
    """The months whose quarter is over by the window's last month, each with its quarter.

    A quarter still running is left for a later export: released now, its bands would change
    from one export to the next, and the two releases together would tell more than either."""
    months = list(months)
    if not months:
        return {}
    last = months[-1]
    over = quarter_of(last) if int(last[5:]) % 3 == 0 else None
    return {m: quarter_of(m) for m in months if quarter_of(m) < quarter_of(last) or over}


def _month_of(stamps: pd.Series, tz: str) -> pd.Series:
    """`YYYY-MM` of tz-aware UTC timestamps, in the network's time zone."""
    local = stamps.dt.tz_convert(tz).dt.tz_localize(None)
    return local.dt.to_period("M").astype(str)


def _monthly_counts(activity: Activity, member_ids: pd.Series) -> pd.DataFrame:
    """Raw counts per member and month (index `user_id`, `month`): what a forum reader sees too."""
    tz = activity.tz
    posts = activity.posts[activity.posts["user_id"].isin(member_ids)]
    posts = posts.assign(month=_month_of(posts["created_at"], tz))
    return posts.groupby(["user_id", "month"]).agg(
        posts=("id", "size"), replies=("is_reply", "sum")
    )


def _quarterly_features(counts: pd.DataFrame, quarters: dict[str, str]) -> pd.DataFrame:
    """Counts summed per quarter (index `user_id`, `quarter`)."""
    frame = counts.reset_index()
    frame = frame[frame["month"].isin(quarters)]
    frame = frame.assign(quarter=frame["month"].map(quarters)).drop(columns="month")
    return frame.groupby(["user_id", "quarter"]).sum()


def count_band(values: pd.Series) -> pd.Series:
    """Counts as their `COUNT_BANDS` label (`0`, `1-5`, `6-20`, `21+`)."""
    labels = pd.Series("", index=values.index, dtype=object)
    for low, high in COUNT_BANDS:
        inside = values >= low if high is None else values.between(low, high)
        label = f"{low}+" if high is None else (str(low) if low == high else f"{low}-{high}")
        labels = labels.mask(inside, label)
    return labels


def generalised_groups(members: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Cooperative and role as released: a role with fewer than `min_group_size` members in its
    cooperative is merged into `regroupe`; a cooperative's merged role still under the size goes
    to the `regroupee` cooperative; what stays under it there is left out.

    Decided on membership only, never on activity: the same members give the same groups in
    every export, so one export's groups never split another's."""
    frame = members.assign(role=members["role"].fillna(UNKNOWN_ROLE))
    size = frame.groupby(["cooperative", "role"])["id"].transform("size")
    frame["role"] = frame["role"].where(size >= min_group_size, MERGED_ROLE)
    size = frame.groupby(["cooperative", "role"])["id"].transform("size")
    small = size < min_group_size
    frame["cooperative"] = frame["cooperative"].where(~small, MERGED_COOPERATIVE)
    size = frame.groupby(["cooperative", "role"])["id"].transform("size")
    return frame[size >= min_group_size]


def _eligible(activity: Activity, optout_group: str) -> pd.DataFrame:
    """The members who may be released: every member of a cooperative but the opt-out group."""
    memberships = activity.forum.memberships
    optout = memberships.loc[memberships["group"] == optout_group, "user_id"]
    return activity.members[~activity.members["id"].isin(optout)]


def crowd_size(activity: Activity, optout_group: str = DEFAULT_OPTOUT_GROUP) -> int:
    """How many members the person panel was drawn from (released or left out)."""
    return len(_eligible(activity, optout_group))


def person_panel(
    activity: Activity,
    months: Iterable[str],
    key: bytes,
    min_group_size: int,
    optout_group: str = DEFAULT_OPTOUT_GROUP,
) -> pd.DataFrame:
    """The person-quarter panel, k-anonymous against the forum itself.

    1. Every member of a cooperative is in the crowd, those who never posted included; members
       of the opt-out group are left out (they objected to being counted person by person) and
       are not counted in anyone's crowd either.
    2. Times are complete quarters; every member has a row for every quarter (no row start
       gives away when an account was made); counts are released in fixed bands.
    3. Cooperative and role are generalised on membership (`generalised_groups`).
    4. A member's whole released trajectory (cooperative, role, every band of every quarter) is
       their quasi-identifier: members whose trajectory fewer than `min_group_size` members share
       are left out, trajectory and all. Whoever is released is thus indistinguishable, on all
       that a forum reader can compute, from at least `min_group_size` - 1 other members."""
    quarters = complete_quarters(months)
    periods = sorted(set(quarters.values()))
    members = generalised_groups(_eligible(activity, optout_group), min_group_size)
    columns = [*PERSON_KEYS, *PERSON_FEATURES]
    if not periods or members.empty:
        return pd.DataFrame(columns=columns)
    exact = _quarterly_features(_monthly_counts(activity, members["id"]), quarters)
    grid = pd.MultiIndex.from_product([members["id"], periods], names=["user_id", "quarter"])
    exact = exact.reindex(grid)
    panel = pd.DataFrame(index=grid)
    for column in PERSON_FEATURES:
        panel[column] = count_band(exact[column].fillna(0))
    panel = panel.reset_index().merge(
        members[["id", "cooperative", "role"]].rename(columns={"id": "user_id"}), on="user_id"
    )
    panel = _k_anonymous(panel, min_group_size)
    names = {user_id: pseudonym(key, user_id) for user_id in panel["user_id"].unique().tolist()}
    panel.insert(0, "person", panel["user_id"].map(names))
    return panel[columns].sort_values(
        ["quarter", "cooperative", "role", "person"], ignore_index=True
    )


def _k_anonymous(panel: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Only the members whose whole trajectory at least `min_group_size` members share."""
    wide = panel.pivot(index="user_id", columns="quarter", values=list(PERSON_FEATURES))
    groups = panel.drop_duplicates("user_id").set_index("user_id")[["cooperative", "role"]]
    signature = groups.join(wide.set_axis(range(wide.shape[1]), axis=1)).astype(str)
    trajectory = signature.apply(tuple, axis=1)
    size = trajectory.map(trajectory.value_counts())
    kept = size.index[size >= min_group_size]
    return panel[panel["user_id"].isin(kept)]


def cooperative_month(
    activity: Activity, months: Iterable[str], min_group_size: int
) -> pd.DataFrame:
    """The report's indicators per cooperative and month, withheld where the month's report did
    not show the month's own figure (masked, or pooled over a window: a monthly figure beside a
    published window would give the rest of the window by subtraction); value and n empty, an
    n of 0 stays: no data."""
    rows = []
    for month in months:
        for scope, figures in activity.figures(month).items():
            if scope is None:
                continue
            shown = publication(activity, month, scope, min_group_size)
            row: dict = {"cooperative": scope, "month": month}
            for key, figure in figures.items():
                # the month's own figure only where its report showed it (`analytics.pooling`)
                hidden = not own(shown[key], month) and figure.n > 0
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
        CodebookRow(
            cooperative_file,
            "month",
            "Mois (AAAA-MM), coupé à minuit dans le fuseau du réseau.",
            "mois",
            "",
            "Campus",
        ),
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
