"""Entry point of ``python -m apps.junior.export``."""

from apps.junior.export.cli import main

raise SystemExit(main())
