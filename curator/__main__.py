"""``python -m curator`` runs the command line."""

import sys

from curator.cli import main

sys.exit(main())
