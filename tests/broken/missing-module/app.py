"""Imports a distribution that no requirement declares."""

import tabulate

print(tabulate.tabulate([["ok"]]))
