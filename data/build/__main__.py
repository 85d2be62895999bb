"""``python -m data.build`` entry point."""

import sys

from data.build.cli import main

sys.exit(main())
