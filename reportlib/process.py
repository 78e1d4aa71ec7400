"""Python's garbage collector, tuned while a render runs.

A render makes a few hundred thousand objects that live until it ends (pandas, nbconvert and WeasyPrint as
they are imported) and few that die in reference cycles. At Python's default thresholds the collector, which
runs every 700 new objects, walks those survivors again and again: about a tenth of a small render's time.
(The kernel freezes what it imported instead: :func:`reportlib.session.preload`.)
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

#: Collect the youngest objects every 50,000 new ones (Python: 700), the middle generation every 20 of those
#: collections (10), the oldest every 100 (10).
THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """Collect garbage at :data:`THRESHOLDS` while the block runs, as before afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
