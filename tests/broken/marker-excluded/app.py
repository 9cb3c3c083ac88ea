"""Imports a dependency whose marker excludes the image's Python."""

import six

print("six", six.__version__)
