"""`python -m studio` runs the same entry point as the `studio` command."""

import sys

from studio.cli import main

if __name__ == "__main__":
    sys.exit(main())
