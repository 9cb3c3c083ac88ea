from __future__ import annotations

from dockergen.cli import main

if __name__ == "__main__":
    main()
