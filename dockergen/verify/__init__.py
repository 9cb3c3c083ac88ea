"""`dockergen verify`: prove that a project's Dockerfile builds, runs and caches, locally.

flow.py drives the phases; engine, build, buildlog, image, run, running, probe, rebuild do
one thing each; diagnose.py holds the one table of known failures; report.py the output.
"""

from dockergen.errors import VerifyUsageError
from dockergen.verify.engine import EngineChoice
from dockergen.verify.flow import parse_engine, parse_mode, verify
from dockergen.verify.image import Mode
from dockergen.verify.options import VerifyOptions
from dockergen.verify.progress import Progress
from dockergen.verify.report import Report, human_lines, to_json

__all__ = [
    "EngineChoice",
    "Mode",
    "Progress",
    "Report",
    "VerifyOptions",
    "VerifyUsageError",
    "human_lines",
    "parse_engine",
    "parse_mode",
    "to_json",
    "verify",
]
