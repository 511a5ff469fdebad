"""A frozen clock for the tests whose result depends on "now".

The fixtures' data end in October 2026 (the sandbox network's `REFERENCE`, the lab's and the
reports' synthetic mirrors), so the tests that ask for "last month", "the last 30 days" or "the
months observed so far" travel to a few days after it, whatever the machine's date. The clock
keeps running from there (`tick=True`): servers, timeouts and waits behave as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine

# Early November 2026: "last month" is October 2026, the fixtures' last month of activity.
FIXTURE_NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


@contextmanager
def frozen_at(moment: datetime = FIXTURE_NOW) -> Iterator[datetime]:
    """Run the block as if the wall clock read `moment` (it keeps ticking from there)."""
    with time_machine.travel(moment, tick=True):
        yield moment
