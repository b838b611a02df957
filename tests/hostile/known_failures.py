"""Cases that fail on the code before the fixes of issue 8, and how each fails there.

The runner (tests/test_hostile_cli.py) marks exactly these as strict xfail: a listed case
that starts to pass fails the suite, so the list cannot go stale unnoticed. When the fixes
land, empty this dict; every case must then pass. Regenerate it with
`python scripts/hostile_review.py --print-known-failures`.
"""

from __future__ import annotations

KNOWN_FAILURES: dict[str, str] = {}
