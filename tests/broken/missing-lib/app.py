"""Loads libpq as psycopg2 would, in an image without the library."""

import ctypes

ctypes.CDLL("libpq.so.5")
print("libpq loaded")
