"""``python -m ui`` starts the desktop app, same as the ``curator-app`` script."""

import sys

from ui.app import main

sys.exit(main())
