"""``python -m pipeline`` entry point."""

from pipeline.cli import main

raise SystemExit(main())
