"""The ``cxtext`` command line: thin commands over the library.

Exit codes scripts can rely on: 0 success (quarantined rows are reported, not fatal),
1 bad input data, 2 bad usage or configuration, 3 a model or encoder artifact problem,
4 any other cxtext error.

One module per area registers its commands on :data:`app` when imported; the order of
the imports below is the order of ``cxtext --help``, the order of the work.
"""

# isort: off
from cxtext.cli.common import EXIT_ARTIFACT, EXIT_DATA, EXIT_OTHER, EXIT_USAGE, app
from cxtext.cli import ingest, themes, sentiment, analysis, report  # noqa: F401
from cxtext.cli import cases, actions, demo, serve, encoder  # noqa: F401

# isort: on

__all__ = ["EXIT_ARTIFACT", "EXIT_DATA", "EXIT_OTHER", "EXIT_USAGE", "app"]
