"""Needs DATABASE_URL from the environment, as twelve-factor apps do."""

import os

DATABASE_URL = os.environ["DATABASE_URL"]
print("connecting to", DATABASE_URL.split("@")[-1])
