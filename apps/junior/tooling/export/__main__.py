"""Entry point of ``python -m apps.junior.tooling.export``."""

from apps.junior.tooling.export.cli import main

raise SystemExit(main())
