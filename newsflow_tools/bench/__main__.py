"""`python -m newsflow_tools.bench`."""

from newsflow_tools.bench.cli import main

raise SystemExit(main())
