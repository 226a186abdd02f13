"""``python -m bodycoach`` = the ``bodycoach`` command."""

import sys

from bodycoach.apps.cli import main

sys.exit(main())
