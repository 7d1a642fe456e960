"""Statistical disclosure control for counts shown to people who must not see individuals.

The ONS rule used by UK public bodies: counts under 10 are suppressed and the rest are rounded to
the nearest 5, so that no small group (and no one person) can be picked out. The rule is decided
on people: a count of events is published only when 10 or more different people stand behind
it, since 40 events of 2 people are 2 people's records (``people`` below).
"""

from __future__ import annotations

import pandas as pd

THRESHOLD = 10
ROUND_TO = 5


def safe_count(count: int, *, people: int | None = None) -> int | None:
    """A count fit to publish: None when under 10 or when ``people`` (how many different people
    the count rests on, where it counts events) is under 10, else rounded to the nearest 5
    (halves round up).

    >>> [safe_count(n) for n in (0, 9, 10, 12, 13, 1234)]
    [None, None, 10, 10, 15, 1235]
    >>> safe_count(40, people=2), safe_count(40, people=10)
    (None, 40)
    """
    if count < THRESHOLD or (people is not None and people < THRESHOLD):
        return None
    return int((count + ROUND_TO / 2) // ROUND_TO * ROUND_TO)


def safe_counts(counts: pd.Series) -> pd.Series:
    """:func:`safe_count` over a series of counts; suppressed cells become missing (``<NA>``)."""
    return counts.map(safe_count).astype("Int64")
