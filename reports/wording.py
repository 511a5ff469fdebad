"""The words of the monthly report: labels, and for each point of attention what the figure
says, why it matters and what a director can do, with the source of that practice.

Analytics gives the figures and the keys (`VigilancePoint.text_key`); this module gives the text,
French first (the gettext source strings), English from `core/locale`. The advice follows the
practice of ANACT (QVCT approach, « espaces de discussion sur le travail ») and INRS (RPS-DU,
ED 6140); the load-concentration texts follow Cross, Rebele & Grant (HBR, 2016) and CHAOSS.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.catalogue import CATALOGUE
from core.i18n import _, ngettext
from core.vocabulary import AXIS_LABELS

SOURCE_EDT = "ANACT, « espaces de discussion sur le travail » ; ministère du Travail"
SOURCE_RPS = "INRS, Évaluer les facteurs de risques psychosociaux : l'outil RPS-DU (ED 6140)"
SOURCE_OVERLOAD = "Cross, Rebele & Grant, « Collaborative Overload », Harvard Business Review, 2016"
SOURCE_CHAOSS = "CHAOSS : Time to First Response, Contributor Absence Factor, Newcomer Experience"
SOURCE_GOLLAC = (
    "Gollac & Bodier (dir.), Mesurer les facteurs psychosociaux de risque au travail, 2011"
)


@dataclass(frozen=True)
class Guidance:
    """What a raised point says, why it matters, what a director can do, and the source."""

    sentence: str
    why: str
    action: str
    source: str


def label(key: str, lang: str) -> str:
    """The indicator's name in `lang`."""
    return CATALOGUE[key].label_in(lang)


def definition(key: str, lang: str) -> str:
    """The indicator's published definition in `lang`."""
    return CATALOGUE[key].definition_in(lang)


def axis_label(axis: str, lang: str) -> str:
    return AXIS_LABELS[lang][axis]


def guidance(
    key: str, lang: str, value: str, threshold: str, role: str = "", count: int = 0
) -> Guidance:
    """The texts of a point of attention `key` (`VigilancePoint.text_key`), the figure and the
    threshold already formatted; `role` names the group for `after_hours_role`; `count`: the
    figure as a number of people, for the sentences that agree with it."""
    texts = {
        "answered_48h": (
            _(
                "Seules {value} des questions ont reçu une réponse d'une autre personne en 48 h (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Une demande d'aide qui attend reste une difficulté que l'on porte seul·e : le soutien social est l'un des six facteurs de risque psychosociaux.",
                lang=lang,
            ),
            _(
                "Demander à l'équipe d'appui de regarder chaque semaine les questions restées sans réponse, et en parler avec les membres lors d'un temps d'échange sur le travail : qui peut répondre, sous quel délai.",
                lang=lang,
            ),
            SOURCE_EDT,
        ),
        "first_response_hours": (
            _(
                "Il faut en médiane {value} pour obtenir une première réponse (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Plus l'attente est longue, moins on ose demander : l'entraide s'étiole et chacun·e règle seul·e ses difficultés.",
                lang=lang,
            ),
            _(
                "Convenir avec l'équipe d'appui d'un délai de première réponse, et organiser un relais entre pairs volontaires pour les questions qui attendent.",
                lang=lang,
            ),
            SOURCE_CHAOSS,
        ),
        "solved_share": (
            _(
                "Seules {value} des questions sont résolues (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Une question sans solution laisse la personne sans marge de manœuvre sur son activité (autonomie).",
                lang=lang,
            ),
            _(
                "Inviter les auteur·es à marquer la réponse qui les a aidés, et reprendre en réunion les questions restées ouvertes.",
                lang=lang,
            ),
            SOURCE_GOLLAC,
        ),
        "peer_response_share": (
            _(
                "Les pairs ne donnent que {value} des premières réponses (seuil : {threshold}) : l'entraide repose sur l'équipe d'appui.",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Quand tout passe par l'équipe d'appui, sa charge augmente et les entrepreneur·es s'entraident moins.",
                lang=lang,
            ),
            _(
                "Mettre en relation les entrepreneur·es qui savent avec ceux qui demandent (carte des expertises), et reconnaître celles et ceux qui aident.",
                lang=lang,
            ),
            SOURCE_EDT,
        ),
        "after_hours": (
            _(
                "{value} des messages sont écrits en soirée, la nuit ou le week-end (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Travailler tard ou le week-end empiète sur le repos et la vie personnelle : c'est un signe d'intensité du travail.",
                lang=lang,
            ),
            _(
                "En parler dans un espace de discussion sur le travail : d'où viennent ces heures, que peut-on alléger ou décaler ; rappeler le droit à la déconnexion.",
                lang=lang,
            ),
            SOURCE_RPS,
        ),
        "after_hours_role": (
            _(
                "{value} des messages des {role} sont écrits hors horaires (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
                role=role,
            ),
            _(
                "Travailler tard ou le week-end empiète sur le repos et la vie personnelle : c'est un signe d'intensité du travail.",
                lang=lang,
            ),
            _(
                "En parler avec ce groupe dans un espace de discussion sur le travail : d'où viennent ces heures, que peut-on alléger ou décaler ; rappeler le droit à la déconnexion.",
                lang=lang,
            ),
            SOURCE_RPS,
        ),
        "top_decile_share": (
            _(
                "Les 10 % de membres les plus actifs écrivent {value} des réponses (seuil : {threshold}) : la charge de l'entraide est concentrée.",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Les personnes les plus sollicitées s'épuisent les premières, et l'entraide s'arrête si elles partent.",
                lang=lang,
            ),
            _(
                "Remercier et protéger ces personnes (temps reconnu, droit de dire non), et répartir les questions vers d'autres volontaires.",
                lang=lang,
            ),
            SOURCE_OVERLOAD,
        ),
        "absence_factor": (
            ngettext(
                "{n} personne écrit la moitié des réponses (seuil : {threshold}) : l'entraide dépend de très peu de monde.",
                "{n} personnes écrivent la moitié des réponses (seuil : {threshold}) : l'entraide dépend de très peu de monde.",
                count,
                lang=lang,
                threshold=threshold,
            ),
            _(
                "Si ces quelques personnes s'absentent, la moitié de l'entraide disparaît ; elles portent une charge invisible.",
                lang=lang,
            ),
            _(
                "Identifier avec l'équipe d'appui comment élargir le cercle des aidant·es (binômes, relais de questions), sans nommer ni classer personne.",
                lang=lang,
            ),
            SOURCE_CHAOSS,
        ),
        "overloaded_helpers": (
            _(
                "{value} des membres qui répondent écrivent au moins trois fois plus que le répondant médian, souvent hors horaires (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Les aidant·es les plus sollicités sont aussi ceux dont l'engagement s'use le plus vite.",
                lang=lang,
            ),
            _(
                "Proposer un temps d'échange sur la charge d'entraide et la reconnaître (temps dédié), sans chercher à savoir qui : le rapport ne nomme personne.",
                lang=lang,
            ),
            SOURCE_OVERLOAD,
        ),
        "authors_without_reply": (
            _(
                "{value} des personnes ayant ouvert un sujet n'ont reçu aucune réponse (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Parler sans être entendu isole : les rapports sociaux au travail sont un facteur de risque reconnu.",
                lang=lang,
            ),
            _(
                "Demander à l'équipe d'appui de répondre ou d'orienter chaque sujet resté sans réponse.",
                lang=lang,
            ),
            SOURCE_GOLLAC,
        ),
        "newcomers_not_back": (
            _(
                "{value} des nouveaux venus ne sont pas revenus dans les 30 jours (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Un premier message sans suite est souvent une première expérience décevante : l'accueil compte.",
                lang=lang,
            ),
            _(
                "Organiser l'accueil des nouveaux membres (un message de bienvenue, un·e parrain ou marraine).",
                lang=lang,
            ),
            SOURCE_CHAOSS,
        ),
        "cross_coop_share": (
            _(
                "Seules {value} des réponses vont vers une autre coopérative (seuil : {threshold}) : les coopératives s'entraident peu entre elles.",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Le réseau sert à trouver ailleurs ce que l'on ne trouve pas chez soi ; sans échanges entre coopératives, chacune reste seule.",
                lang=lang,
            ),
            _(
                "Présenter la catégorie Campus et la carte des expertises du réseau aux membres.",
                lang=lang,
            ),
            SOURCE_EDT,
        ),
        "flagged_posts": (
            _(
                "{value} messages ont été signalés ou masqués (seuil : {threshold}) : des tensions sont possibles.",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "Des signalements répétés peuvent traduire des conflits ; le rapport ne lit aucun message et ne dit pas lesquels.",
                lang=lang,
            ),
            _(
                "En parler avec l'équipe d'appui et les modérateur·rices, et rappeler les règles d'échange.",
                lang=lang,
            ),
            SOURCE_RPS,
        ),
        "pulse": (
            _(
                "Réponse moyenne de {value} au baromètre (seuil : {threshold}).",
                lang=lang,
                value=value,
                threshold=threshold,
            ),
            _(
                "C'est ce que les membres disent eux-mêmes de leur travail : la source la plus directe du rapport.",
                lang=lang,
            ),
            _(
                "Ouvrir un espace de discussion sur le travail sur cet axe : qu'est-ce qui pèse, que peut-on changer ensemble.",
                lang=lang,
            ),
            SOURCE_EDT,
        ),
    }
    sentence, why, action, source = texts[key]
    return Guidance(sentence, why, action, source)


def role_label(role: str, lang: str) -> str:
    """The plural name of a role, for `after_hours_role`."""
    names = {
        "entrepreneur": _("entrepreneur·es", lang=lang),
        "appui": _("équipes d'appui", lang=lang),
        "direction": _("directions", lang=lang),
    }
    return names[role]
