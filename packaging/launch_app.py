"""Entry script of the frozen ``curator-app`` (PyInstaller runs this file as ``__main__``).

``freeze_support`` comes before any import of the app: the ingest service's
spawned parse workers start this same executable, and they must turn into
workers here instead of importing Qt and opening a second window.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from ui.app import main

    sys.exit(main())
