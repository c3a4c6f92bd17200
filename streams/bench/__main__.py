"""`python -m streams.bench`."""

from streams.bench.cli import main

raise SystemExit(main())
