"""The runs of Campus (provision, members, sync, score, report, barometer, relay, digest, lab)
and the worker's schedule, over one `Campus` context (app.context) that cli and web share."""
