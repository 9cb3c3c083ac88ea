"""Uses a local package that only installs from source, with a compiler."""

import cext._speedups

print("speedups", cext._speedups)
