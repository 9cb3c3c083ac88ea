"""Uses six, which the stale lock does not know about."""

import six

print("six", six.__version__)
