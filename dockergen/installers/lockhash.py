"""What the lock-file freshness checks of several installer modules share: a hash of
parsed manifest data the way the tools compute it, and a safe walk into nested tables.

Each check answers None when the lock is fresh or when freshness cannot be decided from the
files alone; a check never guesses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Data = Mapping[str, Any]


def sha256_json(data: object, *, compact: bool = False) -> str | None:
    """sha256 of `json.dumps(data, sort_keys=True)`, with json's default separators or,
    when `compact`, none at all; None when the data has values JSON cannot hold (dates)."""
    try:
        text = json.dumps(data, sort_keys=True, separators=(",", ":") if compact else None)
    except (TypeError, ValueError):
        return None
    import hashlib  # only projects with a lock file hash anything

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def table(data: Data, *path: str) -> Data:
    """The table at `path` in `data`; an empty one when a step is missing or not a table."""
    for key in path:
        value = data.get(key)
        data = value if isinstance(value, Mapping) else {}
    return data
