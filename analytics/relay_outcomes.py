"""Did relaying help? The relayed questions and whether they were then answered (DESIGN §12).

Measured, not assumed: a relayed question counts in the month of its first suggestion; it is
*answered within 48 h* when its first reply by someone other than its author came at most 48
hours after that suggestion. The per-question table is also what `lab evaluate relay` needs
(relay time, cooperative, outcome), so it is computed here once for the report and the lab.
"""

from __future__ import annotations

import pandas as pd

RELAY_WINDOW = pd.Timedelta(hours=48)


def relay_outcomes(suggestions: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """One row per relayed question: topic_id, user_id (its author), root_slug, relayed_at
    (first suggestion), volunteers (how many were asked), responded_at, answered_48h.

    `suggestions`: topic_id, user_id, suggested_at (tz-aware); `topics`: id, user_id,
    root_slug, responded_at (first reply by someone else, NaT if none) — `Activity.topics`.
    A question whose topic is no longer in `topics` (deleted) is left out."""
    columns = ["topic_id", "user_id", "root_slug", "relayed_at", "volunteers"]
    if suggestions.empty:
        return pd.DataFrame(columns=[*columns, "responded_at", "answered_48h"])
    relayed = suggestions.groupby("topic_id").agg(
        relayed_at=("suggested_at", "min"), volunteers=("user_id", "nunique")
    )
    info = topics.set_index("id")[["user_id", "root_slug", "responded_at"]]
    joined = relayed.join(info, how="inner").rename_axis("topic_id").reset_index()
    delay = joined["responded_at"] - joined["relayed_at"]
    joined["answered_48h"] = (delay <= RELAY_WINDOW).fillna(False).astype(bool)
    return joined[[*columns, "responded_at", "answered_48h"]]
