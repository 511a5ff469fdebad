"""The QVT lab's legal kit (`campus lab kit --out DIR`, DESIGN §11): French drafts for the DPO.

Four Markdown documents pre-filled from the configuration: the information notice for members
(GDPR art. 13–14), the record of processing (art. 30), a DPIA draft following CNIL's method (HR
scoring and workplace monitoring are on CNIL's list of processing that needs one, délibération
2018-327) and a note for the CSE. Each says on its first line that it is a draft for the DPO. A
value the configuration lacks is written as a visible « à compléter par le DPO : … » item: the
documents are legal texts for a French network, so they are written in French only.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from core.i18n import _
from reports.templating import environment

DOCUMENTS = (
    ("1-notice-information-membres.md", "lab_kit_notice.md.j2"),
    ("2-registre-des-traitements.md", "lab_kit_record.md.j2"),
    ("3-aipd-brouillon.md", "lab_kit_dpia.md.j2"),
    ("4-note-cse.md", "lab_kit_cse.md.j2"),
)


@dataclass(frozen=True)
class KitValues:
    """What the configuration says about the processing (empty: for the DPO to complete)."""

    network_name: str = ""
    controller: str = ""
    dpo_contact: str = ""
    research_partner: str = ""
    retention: str = ""
    forum_url: str = ""
    timezone: str = "Europe/Paris"
    min_group_size: int = 5
    optout_group: str = "campus-optout"
    transformers_group: str = "transformers"
    cooperatives: int | None = None
    statements: tuple[str, ...] = ()


def to_complete(value: object, what: str) -> str:
    """`value`, or the visible item the DPO fills in when the configuration lacks it."""
    if value not in (None, ""):
        return str(value)
    return f"**« à compléter par le DPO : {what} »**"


def write_kit(values: KitValues, out: Path) -> list[Path]:
    """Write the four drafts into the new folder `out` (never over an existing one)."""
    if out.exists():
        raise InputError(
            _(
                "{path} existe déjà : le kit n'écrase jamais des brouillons peut-être déjà relus (choisissez un nouveau dossier).",
                path=out,
            )
        )
    env = environment("fr")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, template in DOCUMENTS:
            text = env.get_template(template).render(v=values, value=to_complete)
            (staging / name).write_text(text, encoding="utf-8")
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / name for name, _template in DOCUMENTS]
