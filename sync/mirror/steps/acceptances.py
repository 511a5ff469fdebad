"""When each accepted answer was accepted: the Solved plugin's SOLVED user actions.

Discourse's topic and post JSON say which post is the solution, never when it was accepted
(discourse-solved's `accepted_answer` carries post number, names and excerpt only; its
`solved_topics` row has the time but no endpoint returns it). Accepting logs a `UserAction` of
type 15 (SOLVED) for the answer's author, created at that moment, with the answer as its
`target_post_id`: `/user_actions.json?username=<author>&filter=15` lists them, newest first, 30 a
page. So for each author with solutions the mirror has not dated yet, this step reads their
SOLVED actions until all of them are found (usually one request per author, once: a dated
solution is never looked up again). A solution the stream does not show (the plugin logs no
action when an answer replaces another one) is marked "unknown" and dated by its answer in the
digest. The `accepted_solution` webhook dates new solutions within seconds
(`sync.mirror.live`), so with webhooks this step rarely has anything to read.
"""

from __future__ import annotations

from itertools import groupby

from core.i18n import ngettext
from sync.discourse.exceptions import DiscourseNotFound
from sync.mirror import records, store
from sync.mirror.steps.run import Run

SOLVED_ACTION = 15


def date_acceptances(run: Run) -> int:
    """Look up and store the acceptance times the mirror lacks; returns how many were dated."""
    with run.engine.connect() as conn:
        missing = store.solutions_without_acceptance_time(conn)
    if not missing:
        return 0
    run.say(
        ngettext(
            "Dates d'acceptation : {n} solution à dater.",
            "Dates d'acceptation : {n} solutions à dater.",
            len(missing),
        )
    )
    dated = 0
    for username, rows in groupby(missing, key=lambda row: row.username):
        wanted = {int(row.post_id) for row in rows}
        found: dict[int, object] = {}
        try:
            for page in run.api.iter_user_actions(username, SOLVED_ACTION):
                for action in page:
                    post_id = action.get("post_id")
                    if action.get("action_type") == SOLVED_ACTION and post_id in wanted:
                        found.setdefault(int(post_id), records.parse_time(action["created_at"]))
                if wanted <= found.keys():
                    break
        except DiscourseNotFound:  # the account is gone or renamed since the last sync
            pass
        times = {post_id: found.get(post_id) for post_id in wanted}
        with run.engine.begin() as conn:
            dated += store.write_acceptance_times(conn, times, "user_action")
    run.say(
        ngettext("Dates d'acceptation : {n} trouvée.", "Dates d'acceptation : {n} trouvées.", dated)
    )
    return dated
