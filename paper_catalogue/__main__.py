"""``python -m paper_catalogue`` entry point."""

from paper_catalogue.cli import main

raise SystemExit(main())
