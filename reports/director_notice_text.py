"""What the directors read when a month's reports are written: one private message each, with
the links to their pages on Campus and no figure (the figures stay behind Campus's login).

Cooperative names come from cooperatives.csv: they go through `discourse_inline`, so none can
mention or link anybody. The run that sends the messages is `app.director_notices`.
"""

from __future__ import annotations

from core.i18n import _, ngettext
from core.safe_text import discourse_inline
from reports.formatting import Formatter

NETWORK_PAGE = "reseau"  # the network report's page, /rapports/<YYYY-MM>/reseau (web.report_pages)


def report_page(root: str, month: str, scope: str) -> str:
    """The web page of one report: `<base_url>/rapports/<YYYY-MM>/<slug or reseau>`."""
    return f"{root}/rapports/{month}/{scope}"


def notice_message(
    root: str, month: str, cooperatives: list[tuple[str, str]], lang: str
) -> tuple[str, str]:
    """(title, Markdown body) of the notice to one director: the pages of `cooperatives`
    ((slug, name) pairs whose report was written) and the network's, under Campus's `root`."""
    label = Formatter(lang).month(month)
    lines = [
        "- "
        + _(
            "{name} : {url}",
            lang=lang,
            name=discourse_inline(name),
            url=report_page(root, month, slug),
        )
        for slug, name in cooperatives
    ]
    lines.append(
        "- " + _("Le réseau : {url}", lang=lang, url=report_page(root, month, NETWORK_PAGE))
    )
    subject = _("Vos rapports QVT sont en ligne ({month})", lang=lang, month=label)
    body = "\n\n".join(
        [
            _("Bonjour,", lang=lang),
            _(
                "Les rapports QVT et risques psychosociaux du mois écoulé ({month}) sont en ligne sur Campus :",
                lang=lang,
                month=label,
            ),
            "\n".join(lines),
            _(
                "Connectez-vous avec votre compte du forum pour les lire : ils restent réservés aux directions et aux animateur·rices du réseau.",
                lang=lang,
            ),
            ngettext(
                "Vous recevez ce message parce que vous êtes membre du groupe des directions et de celui de votre coopérative ; il est envoyé une fois par mois, quand les rapports sont écrits.",
                "Vous recevez ce message parce que vous êtes membre du groupe des directions et de ceux de vos coopératives ; il est envoyé une fois par mois, quand les rapports sont écrits.",
                len(cooperatives),
                lang=lang,
            ),
        ]
    )
    return subject, body
