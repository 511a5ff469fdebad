"""Write the QVT lab's research extract (`campus lab export --out DIR`, DESIGN §11).

Files: `person_month.csv` (person-quarter rows, k-anonymous against the forum; its name is kept
for the researchers' scripts), `cooperative_month.csv`, `codebook.csv`, `README.md` (for the
researchers, in French) and `manifest.json` (SHA-256 of every other file). The folder is written
aside and renamed into place at the end: an error leaves nothing behind, and an existing folder
is never overwritten. The research key only keys the pseudonyms: it is written nowhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from analytics.indicators import Activity
from analytics.research_panels import (
    MERGED_COOPERATIVE,
    MERGED_ROLE,
    PSEUDONYM_LENGTH,
    codebook,
    cooperative_month,
    crowd_size,
    person_panel,
)
from analytics.scoring import DEFAULT_OPTOUT_GROUP
from core.errors import InputError
from core.i18n import _
from core.safe_text import csv_safe
from reports.templating import environment

PERSON_FILE = "person_month.csv"
COOPERATIVE_FILE = "cooperative_month.csv"
CODEBOOK_FILE = "codebook.csv"
README_FILE = "README.md"
MANIFEST_FILE = "manifest.json"
MIN_KEY_LENGTH = 16


def research_key(value: str | None) -> bytes:
    """The research key from the environment, or an InputError saying how to set it (exit 2).

    `value` was read like every secret (`core.secrets.read_secret`: whitespace around it trimmed,
    inside it refused), so a stray paste gives the same key, hence the same pseudonyms."""
    if not value:
        raise InputError(
            _(
                "La clé de recherche manque : définissez la variable d'environnement CAMPUS_RESEARCH_KEY (une clé d'au moins {length} caractères, détenue par le délégué à la protection des données ; la même clé donne les mêmes pseudonymes d'un export à l'autre).",
                length=MIN_KEY_LENGTH,
            )
        )
    if len(value) < MIN_KEY_LENGTH:
        raise InputError(
            _(
                "CAMPUS_RESEARCH_KEY est trop courte : au moins {length} caractères sont attendus.",
                length=MIN_KEY_LENGTH,
            )
        )
    return value.encode("utf-8")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    csv_safe(frame).to_csv(path, index=False, lineterminator="\n", float_format="%.6g")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_export(
    activity: Activity,
    months: list[str],
    out: Path,
    key: bytes,
    *,
    min_group_size: int,
    generated_at: datetime,
    network_name: str = "",
    dpo_contact: str = "",
    research_partner: str = "",
    optout_group: str = DEFAULT_OPTOUT_GROUP,
) -> dict:
    """Write the extract of `months` into the new folder `out`; return the manifest."""
    if out.exists():
        raise InputError(
            _(
                "{path} existe déjà : un export ne remplace jamais un dossier (choisissez un nouveau dossier).",
                path=out,
            )
        )
    if not months:
        raise InputError(
            _("Le miroir est vide : lancez « campus sync » avant d'exporter des données.")
        )
    people = person_panel(activity, months, key, min_group_size, optout_group)
    cooperatives = cooperative_month(activity, months, min_group_size)
    rows = codebook(PERSON_FILE, COOPERATIVE_FILE)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _write_csv(people, staging / PERSON_FILE)
        _write_csv(cooperatives, staging / COOPERATIVE_FILE)
        with (staging / CODEBOOK_FILE).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["file", "column", "definition", "unit", "gollac_axis", "source"])
            for row in rows:
                writer.writerow(
                    [row.file, row.column, row.definition, row.unit, row.axis, row.source]
                )
        readme = (
            environment("fr")
            .get_template("lab_export_readme.md.j2")
            .render(
                generated=generated_at.strftime("%Y-%m-%d"),
                first=months[0],
                last=months[-1],
                min_group_size=min_group_size,
                people=people["person"].nunique(),
                crowd=crowd_size(activity, optout_group),
                person_rows=len(people),
                cooperative_rows=len(cooperatives),
                merged_role=MERGED_ROLE,
                merged_cooperative=MERGED_COOPERATIVE,
                length=PSEUDONYM_LENGTH,
                files=(PERSON_FILE, COOPERATIVE_FILE, CODEBOOK_FILE, MANIFEST_FILE),
                network_name=network_name,
                dpo_contact=dpo_contact,
                research_partner=research_partner,
            )
        )
        (staging / README_FILE).write_text(readme, encoding="utf-8")
        counts = {PERSON_FILE: len(people), COOPERATIVE_FILE: len(cooperatives)}
        counts[CODEBOOK_FILE] = len(rows)
        manifest = {
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "months": {"first": months[0], "last": months[-1]},
            "min_group_size": min_group_size,
            "pseudonym": f"HMAC-SHA256(CAMPUS_RESEARCH_KEY, 'campus-user:<id>')[:{PSEUDONYM_LENGTH}]",
            "files": {
                name: {
                    "sha256": _sha256(staging / name),
                    "bytes": (staging / name).stat().st_size,
                    **({"rows": counts[name]} if name in counts else {}),
                }
                for name in (PERSON_FILE, COOPERATIVE_FILE, CODEBOOK_FILE, README_FILE)
            },
        }
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest
