"""The indicators of the monthly QVT and collaboration-risk report, each declared once (DESIGN §7).

Every other table follows from these declarations (`analytics.indicator_spec`): the report's
definitions and better directions, privacy's additive and per-person figures, the vigilance rules
and the `[indicators]` settings with their bounds, the first page's key figures and the lab's
default outcomes. The figures themselves are computed in `analytics.indicators`.

Additive (complementary suppression): the people-based counts, since members are partitioned by
cooperative and the network is exactly the sum; and the topic-based counts, since the network
also counts topics outside the cooperatives' categories, so it is the sum plus that remainder
(an author who opened topics in several cooperatives counts once in the network). Not additive:
shares, medians, means, `absence_factor` and `overloaded_helpers` (both judged against each
scope's own repliers, so the network is no sum), and the barometer's averages (the network
already pools only the cooperatives whose result is shown). Followers: the participation rate's
`n` is the members, the after-hours shares' `n` are the active members (by role, they add up to
them), the newcomers' `n` is the new contributors.

To add an indicator: declare it here (with `compute=` unless the main pass of
`analytics.indicators` computes it), and give its label and definition their English in
`core/locale/en/LC_MESSAGES/campus.po`. `register` declares one from elsewhere (a test).
"""

from __future__ import annotations

from analytics.indicator_spec import (
    SCALE_FLOOR,
    SHARE_CEILING,
    SHARE_FLOOR,
    Catalogue,
    IndicatorSpec,
    Threshold,
)
from core.settings import NON_NEGATIVE, POSITIVE
from core.vocabulary import AXES

# The thresholds of the points de vigilance: the `[indicators]` settings, in this order.
ANSWERED_48H_MIN = Threshold(
    "answered_48h_min",
    "min",
    0.7,
    SHARE_FLOOR,
    "part minimale des questions ayant une réponse en 48 h",
)
FIRST_RESPONSE_HOURS_MAX = Threshold(
    "first_response_hours_max",
    "max",
    24.0,
    POSITIVE,
    "délai médian maximal de première réponse (h)",
)
SOLVED_SHARE_MIN = Threshold(
    "solved_share_min", "min", 0.3, SHARE_FLOOR, "part minimale des questions résolues"
)
PEER_RESPONSE_SHARE_MIN = Threshold(
    "peer_response_share_min",
    "min",
    0.4,
    SHARE_FLOOR,
    "part minimale des premières réponses données par des pairs (sinon : dépendance à l'appui)",
)
AFTER_HOURS_MAX = Threshold(
    "after_hours_max",
    "max",
    0.25,
    SHARE_CEILING,
    "part maximale des messages en soirée, la nuit ou le week-end (global et par rôle)",
)
TOP_DECILE_SHARE_MAX = Threshold(
    "top_decile_share_max",
    "max",
    0.5,
    SHARE_CEILING,
    "part maximale des réponses écrites par les 10 % les plus actifs",
)
ABSENCE_FACTOR_MIN = Threshold(
    "absence_factor_min",
    "min",
    3,
    NON_NEGATIVE,
    "nombre minimal de personnes écrivant ensemble la moitié des réponses",
)
OVERLOADED_HELPERS_SHARE_MAX = Threshold(
    "overloaded_helpers_share_max",
    "max",
    0.05,
    SHARE_CEILING,
    "part maximale des membres ayant répondu qui sont des aidant·es surchargé·es",
)
AUTHORS_WITHOUT_REPLY_SHARE_MAX = Threshold(
    "authors_without_reply_share_max",
    "max",
    0.2,
    SHARE_CEILING,
    "part maximale des auteur·es de sujets restés sans réponse",
)
NEWCOMERS_NOT_BACK_SHARE_MAX = Threshold(
    "newcomers_not_back_share_max",
    "max",
    0.6,
    SHARE_CEILING,
    "part maximale des nouveaux venus non revenus dans les 30 jours",
)
CROSS_COOP_SHARE_MIN = Threshold(
    "cross_coop_share_min",
    "min",
    0.05,
    SHARE_FLOOR,
    "part minimale des réponses entre coopératives",
)
FLAGGED_POSTS_MAX = Threshold(
    "flagged_posts_max", "max", 5, POSITIVE, "nombre maximal de messages signalés ou masqués"
)
PULSE_MIN = Threshold(
    "pulse_min",
    "min",
    3.0,
    SCALE_FLOOR,
    "réponse moyenne minimale au baromètre, sur chaque axe (1 à 5)",
)

ROLE_LABELS = (
    ("entrepreneur", "entrepreneur·es"),
    ("appui", "équipes d'appui"),
    ("direction", "directions"),
)

CATALOGUE = Catalogue(
    [
        IndicatorSpec(
            "members",
            "rapports_sociaux",
            "people",
            "participation",
            label="Membres",
            definition="Comptes du groupe (coopérative ; réseau : tous les membres d'une coopérative), hors comptes supprimés ou fantômes. n = ces membres.",
            additive=True,
            followers=("participation_rate",),
            empty_value=0,
        ),
        IndicatorSpec(
            "active_members",
            "rapports_sociaux",
            "people",
            "participation",
            label="Membres actifs",
            definition="Membres ayant écrit au moins un message dans le mois (n'importe où sur le forum). n = les membres.",
            better="up",
            additive=True,
            followers=(
                "after_hours",
                "after_hours_entrepreneur",
                "after_hours_appui",
                "after_hours_direction",
            ),
            key_figure=0,
            empty_value=0,
        ),
        IndicatorSpec(
            "participation_rate",
            "rapports_sociaux",
            "share",
            "participation",
            label="Taux de participation",
            definition="Membres actifs ÷ membres. n = les membres.",
            better="up",
            key_figure=1,
        ),
        IndicatorSpec(
            "new_contributors",
            "rapports_sociaux",
            "people",
            "participation",
            label="Nouveaux contributeurs",
            definition="Membres dont le tout premier message date du mois. n = les membres.",
            better="up",
            additive=True,
            followers=("newcomers_not_back",),
            empty_value=0,
        ),
        IndicatorSpec(
            "topics",
            "rapports_sociaux",
            "count",
            "participation",
            label="Sujets ouverts",
            definition="Sujets créés dans le mois dans les catégories du périmètre. n = leurs auteurs.",
            additive=True,
            empty_value=0,
        ),
        IndicatorSpec(
            "replies",
            "rapports_sociaux",
            "count",
            "participation",
            label="Réponses",
            definition="Messages autres que le premier d'un sujet, écrits dans le mois dans les catégories du périmètre. n = leurs auteurs.",
            better="up",
            additive=True,
            empty_value=0,
        ),
        IndicatorSpec(
            "questions",
            "rapports_sociaux",
            "count",
            "mutual_aid",
            label="Questions",
            definition="Sujets créés dans le mois dans une catégorie où une réponse peut être acceptée (Entraide, Campus). n = leurs auteurs.",
            additive=True,
            empty_value=0,
        ),
        IndicatorSpec(
            "answered_48h",
            "rapports_sociaux",
            "share",
            "mutual_aid",
            label="Questions avec réponse en 48 h",
            definition="Part des questions du mois dont la première réponse d'une autre personne que l'auteur arrive au plus 48 heures après la question. n = les auteurs des questions.",
            better="up",
            threshold=ANSWERED_48H_MIN,
            key_figure=2,
            lab_outcome=0,
        ),
        IndicatorSpec(
            "first_response_hours",
            "rapports_sociaux",
            "hours",
            "mutual_aid",
            label="Délai médian de première réponse (h)",
            definition="Médiane, en heures, du délai entre une question du mois et sa première réponse par une autre personne (questions ayant reçu une réponse à ce jour). n = les auteurs de ces questions.",
            better="down",
            threshold=FIRST_RESPONSE_HOURS_MAX,
            key_figure=3,
            lab_outcome=1,
        ),
        IndicatorSpec(
            "unanswered",
            "rapports_sociaux",
            "count",
            "mutual_aid",
            label="Questions sans réponse en fin de mois",
            definition="Questions du mois sans aucune réponse d'une autre personne à la fin du mois. n = les auteurs des questions.",
            better="down",
            additive=True,
            empty_value=0,
        ),
        IndicatorSpec(
            "solved_share",
            "autonomie",
            "share",
            "mutual_aid",
            label="Questions résolues",
            definition="Part des questions du mois ayant une réponse acceptée (à ce jour). n = les auteurs des questions.",
            better="up",
            threshold=SOLVED_SHARE_MIN,
        ),
        IndicatorSpec(
            "peer_response_share",
            "autonomie",
            "share",
            "mutual_aid",
            label="Premières réponses données par des pairs",
            definition="Part des premières réponses aux questions du mois écrites par des entrepreneur·es (rôle entrepreneur) plutôt que par l'équipe d'appui ou la direction. n = les auteurs de ces premières réponses.",
            better="up",
            threshold=PEER_RESPONSE_SHARE_MIN,
        ),
        IndicatorSpec(
            "after_hours",
            "intensite",
            "share",
            "working_time",
            label="Messages en soirée, la nuit ou le week-end",
            definition="Part des messages du mois écrits par les membres entre 20 h et 7 h (heure locale) ou le samedi ou le dimanche. n = leurs auteurs.",
            better="down",
            threshold=AFTER_HOURS_MAX,
            key_figure=4,
            lab_outcome=3,
        ),
        *(
            IndicatorSpec(
                f"after_hours_{role}",
                "intensite",
                "share",
                "working_time",
                label=f"Messages hors horaires — {label}",
                definition=f"Même définition, pour les messages des membres de rôle {role}. n = leurs auteurs.",
                better="down",
                threshold=AFTER_HOURS_MAX,
                guidance="after_hours_role",
            )
            for role, label in ROLE_LABELS
        ),
        IndicatorSpec(
            "top_decile_share",
            "intensite",
            "share",
            "load",
            label="Réponses écrites par les 10 % les plus actifs",
            definition="Part des réponses du mois écrites par les 10 % de membres qui en écrivent le plus (au moins une personne). n = les membres ayant répondu.",
            better="down",
            threshold=TOP_DECILE_SHARE_MAX,
            key_figure=5,
            lab_outcome=2,
        ),
        IndicatorSpec(
            "absence_factor",
            "insecurite",
            "people",
            "load",
            label="Personnes qui écrivent la moitié des réponses",
            definition="Plus petit nombre de personnes qui écrivent ensemble la moitié des réponses du mois (le « facteur d'absence » de CHAOSS : combien d'absences suffiraient à priver le réseau de la moitié de son entraide). Plus il est bas, plus l'entraide dépend de quelques-uns. n = les membres ayant répondu.",
            better="up",
            threshold=ABSENCE_FACTOR_MIN,
        ),
        IndicatorSpec(
            "overloaded_helpers",
            "intensite",
            "people",
            "load",
            label="Aidant·es surchargé·es",
            definition="Nombre (jamais les noms) de membres ayant écrit au moins 3 fois les réponses du répondant médian, dont au moins 30 % hors horaires. n = les membres ayant répondu.",
            better="down",
            per_person=True,
            threshold=OVERLOADED_HELPERS_SHARE_MAX,
            empty_value=0,
        ),
        IndicatorSpec(
            "authors_without_reply",
            "rapports_sociaux",
            "people",
            "social",
            label="Personnes restées sans réponse",
            definition="Personnes ayant ouvert des sujets dans le mois dont aucun n'a reçu de réponse d'une autre personne avant la fin du mois. n = les auteurs de sujets du mois.",
            better="down",
            additive=True,
            per_person=True,
            threshold=AUTHORS_WITHOUT_REPLY_SHARE_MAX,
            key_figure=6,
            empty_value=0,
        ),
        IndicatorSpec(
            "newcomers_not_back",
            "rapports_sociaux",
            "people",
            "social",
            label="Nouveaux venus non revenus",
            definition="Membres dont le premier message date du mois et qui n'ont rien écrit d'autre dans les 30 jours suivants (provisoire tant que 30 jours ne sont pas écoulés). n = ces nouveaux contributeurs.",
            better="down",
            additive=True,
            per_person=True,
            threshold=NEWCOMERS_NOT_BACK_SHARE_MAX,
            key_figure=7,
            empty_value=0,
        ),
        IndicatorSpec(
            "cross_coop_share",
            "rapports_sociaux",
            "share",
            "social",
            label="Réponses entre coopératives",
            definition="Part des réponses du mois écrites par les membres à une personne d'une autre coopérative (l'auteur du message auquel on répond, sinon du sujet). n = les membres ayant répondu.",
            better="up",
            threshold=CROSS_COOP_SHARE_MIN,
        ),
        IndicatorSpec(
            "support_exchanges",
            "autonomie",
            "count",
            "social",
            label="Échanges entrepreneur·es ↔ appui",
            definition="Réponses du mois, dans les catégories du périmètre, d'un·e entrepreneur·e à l'équipe d'appui ou l'inverse. n = leurs auteurs.",
            better="up",
            additive=True,
            empty_value=0,
        ),
        IndicatorSpec(
            "flagged_posts",
            "exigences_emotionnelles",
            "count",
            "social",
            label="Messages signalés ou masqués",
            definition="Messages du mois, dans les catégories du périmètre, signalés au moins une fois ou masqués par la modération (aucune lecture des textes). n = les auteurs des messages du mois.",
            better="down",
            additive=True,
            threshold=FLAGGED_POSTS_MAX,
            empty_value=0,
        ),
        # relay (issue 14): questions suggested to volunteers, and whether that helped
        IndicatorSpec(
            "relayed_questions",
            "rapports_sociaux",
            "count",
            "mutual_aid",
            label="Questions relayées à des volontaires",
            definition="Questions du périmètre restées sans réponse et suggérées ce mois-ci (première suggestion) par message privé à des volontaires du groupe campus-relais. n = leurs auteurs.",
            additive=True,
            empty_value=0,
            # better None: more relayed questions means more unanswered ones, or more volunteers
        ),
        IndicatorSpec(
            "relayed_answered_48h",
            "rapports_sociaux",
            "share",
            "mutual_aid",
            label="Questions relayées avec réponse en 48 h",
            definition="Part des questions relayées ce mois-ci dont la première réponse d'une autre personne que l'auteur arrive au plus 48 heures après la suggestion. n = les auteurs de ces questions.",
            better="up",
        ),
        *(
            IndicatorSpec(
                f"pulse_{axis}",
                axis,
                "scale",
                "pulse",
                label="Baromètre : réponse moyenne (1–5)",
                definition="Moyenne des réponses au sondage du mois sur cet axe, de 1 (pas du tout d'accord) à 5 (tout à fait d'accord), lue après la clôture. n = les votant·es. Le réseau ne compte que les coopératives dont le résultat est montré (assez de votant·es), pour qu'aucun résultat masqué ne se déduise par différence.",
                better="up",
                threshold=PULSE_MIN,
                guidance="pulse",
                lab_outcome=4,
            )
            for axis in AXES
        ),
    ]
)
"""Every indicator of the report, in the report's order."""


def register(spec: IndicatorSpec) -> None:
    """Declare an indicator outside this module: it joins the report, the vigilance rules and
    the lab like the ones above (`CATALOGUE.remove` withdraws it). The `[indicators]` settings
    class is built once from the catalogue at import: a new threshold needs
    `analytics.settings.threshold_settings(CATALOGUE)` to be configurable."""
    CATALOGUE.add(spec)
