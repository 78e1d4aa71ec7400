"""Python's garbage collector, tuned for a process that does one job and ends (a render, and its kernel).

Such a process makes a few hundred thousand objects that live until it ends (pandas, matplotlib, nbconvert
and WeasyPrint as they are imported) and few that die in reference cycles. At Python's default thresholds
the collector, which runs every 700 new objects, walks those survivors again and again: about a tenth of a
small render's time. Collecting every 50,000 new objects instead costs a few megabytes at most.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

#: Collect the youngest objects every 50,000 new ones (Python: 700), the middle generation every 20 of those
#: collections (10), the oldest every 100 (10).
THRESHOLDS = (50_000, 20, 100)


def collect_less() -> None:
    """Collect garbage at :data:`THRESHOLDS` from now on (for a process that is reportlib's own: a kernel)."""
    gc.set_threshold(*THRESHOLDS)


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """Collect garbage at :data:`THRESHOLDS` while the block runs, as before afterwards."""
    before = gc.get_threshold()
    collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*before)
