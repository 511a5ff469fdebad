"""`campus lab`: evaluate an intervention, export a pseudonymised extract, write the GDPR kit
(DESIGN §11)."""

from __future__ import annotations

from pathlib import Path

from analytics import indicators
from analytics import lab_estimator as lab_analytics
from analytics.lab_estimator import Design
from analytics.settings import LabSettings
from app import actions
from app.context import Campus
from core.errors import InputError
from core.i18n import _
from core.vocabulary import ACTION_KIND_LABELS, Intervention
from reports import lab_evaluation as lab_report
from reports import lab_kit as lab_kit_files
from reports import research_export as lab_export_files
from reports.settings import ReportSettings
from sync.forum.interventions import find_intervention, read_interventions
from sync.mirror.loader import load_forum


def design(settings: LabSettings) -> Design:
    """The estimator's limits and bootstrap from the [lab] section."""
    return Design(
        min_treated=settings.min_treated,
        min_controls=settings.min_controls,
        min_pre_months=settings.min_pre_months,
        min_post_months=settings.min_post_months,
        draws=settings.bootstrap_draws,
        seed=settings.seed,
    )


def interventions(campus: Campus) -> list[Intervention]:
    """interventions.csv, validated against cooperatives.csv (exit 2 on any bad row)."""
    path = campus.config.resolve(campus["lab"].interventions)
    return read_interventions(path, campus.cooperatives())


def _activity(campus: Campus) -> indicators.Activity:
    """The mirror's activity, as the report's indicators see it."""
    return indicators.Activity(
        load_forum(campus.engine), campus.timezone, campus["reports"].min_group_size
    )


def evaluate(
    campus: Campus,
    name: str,
    outcomes: list[str],
    *,
    out: Path | None = None,
    lang: str | None = None,
    write: bool = True,
) -> tuple[dict, Path | None]:
    """Estimate intervention `name`'s effect up to last month: the `--json` body, and the
    folder its HTML/Markdown went to (`out`, else `<reports>/labo/<name>`) when `write`."""
    intervention = find_intervention(interventions(campus), name)
    return _evaluate(campus, intervention, outcomes, out=out, lang=lang, write=write)


def kind_intervention(campus: Campus, kind: str) -> Intervention:
    """Every action of `kind` in the directors' log as one staggered intervention (DESIGN §11,
    §14): each cooperative that started one (status en_cours, faite or abandonnee) is treated
    from the month of its first start. Named `kind:KIND`; an unknown kind exits 2."""
    kind = actions.check_kind(kind)
    starts = actions.kind_starts(actions.all_actions(campus), kind)
    if not starts:
        raise InputError(
            _(
                "Aucune action de type « {kind} » n'a commencé dans le plan d'actions des"
                " coopératives (statuts en_cours, faite ou abandonnee) : rien à évaluer.",
                kind=kind,
            )
        )
    return Intervention(
        name=f"kind:{kind}",
        starts=starts,
        start=min(starts.values()),
        description=ACTION_KIND_LABELS["fr"][kind],
    )


def evaluate_kind(
    campus: Campus,
    kind: str,
    outcomes: list[str],
    *,
    out: Path | None = None,
    lang: str | None = None,
    write: bool = True,
) -> tuple[dict, Path | None]:
    """`lab evaluate --kind KIND`: the actions of one kind evaluated like a named intervention
    (same estimator, same refusals); files in `out`, else `<reports>/labo/kind-<kind>`."""
    intervention = kind_intervention(campus, kind)
    return _evaluate(campus, intervention, outcomes, out=out, lang=lang, write=write)


def _evaluate(
    campus: Campus,
    intervention: Intervention,
    outcomes: list[str],
    *,
    out: Path | None,
    lang: str | None,
    write: bool,
) -> tuple[dict, Path | None]:
    settings: ReportSettings = campus["reports"]
    outcomes = outcomes or list(lab_analytics.default_outcomes())
    estimator = design(campus["lab"])
    results = lab_report.run_evaluation(
        _activity(campus),
        intervention,
        outcomes,
        estimator,
        min_group_size=settings.min_group_size,
        until=campus.previous_month(),
    )
    lang = lang or settings.lang
    data = lab_report.evaluation_json(intervention, results, estimator, lang)
    folder = None
    if write:
        folder = out or campus.reports_dir / "labo" / lab_report.slug_of(intervention.name)
        lab_report.write_evaluation(
            data,
            results,
            folder,
            lang=lang,
            tz=campus.timezone,
            generated_at=campus.now(),
            min_group_size=settings.min_group_size,
        )
    return data, folder


def export(campus: Campus, out: Path, research_key: str | None) -> None:
    """Write the pseudonymised research extract into `out` (exit 2 without the key)."""
    key = lab_export_files.research_key(research_key)
    lab: LabSettings = campus["lab"]
    activity = _activity(campus)
    lab_export_files.write_export(
        activity,
        lab_analytics.mirror_months(activity, campus.previous_month()),
        out,
        key,
        min_group_size=campus["reports"].min_group_size,
        generated_at=campus.now(),
        network_name=lab.network_name,
        dpo_contact=lab.dpo_contact,
        research_partner=lab.research_partner,
        optout_group=campus["template"].optout_group,
    )


def kit(campus: Campus, out: Path) -> list[Path]:
    """Write the GDPR drafts for the DPO into `out`; the files written."""
    lab: LabSettings = campus["lab"]
    template = campus["template"]
    values = lab_kit_files.KitValues(
        network_name=lab.network_name,
        controller=lab.controller,
        dpo_contact=lab.dpo_contact,
        research_partner=lab.research_partner,
        retention=lab.retention,
        forum_url=campus.forum_url,
        timezone=campus.timezone,
        min_group_size=campus["reports"].min_group_size,
        optout_group=template.optout_group,
        transformers_group=template.transformers_group,
        cooperatives=len(campus.cooperatives()) if campus.cooperatives_csv.is_file() else None,
        statements=tuple(campus["pulse"].statements.values()),
    )
    return list(lab_kit_files.write_kit(values, out))
