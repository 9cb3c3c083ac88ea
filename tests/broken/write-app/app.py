"""Writes its state next to its code, which the non-root user cannot."""

from pathlib import Path

Path("/app/state.json").write_text("{}\n")
print("saved")
