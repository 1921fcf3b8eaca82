"""Entry script of the frozen ``curator`` command line (PyInstaller runs this file as ``__main__``).

``freeze_support`` comes first so that spawned worker processes (the ingest
service parses large passes in a process pool) become workers here instead
of running the command a second time.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from curator.cli import main

    sys.exit(main())
