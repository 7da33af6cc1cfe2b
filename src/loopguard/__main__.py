"""``python -m loopguard``.

``python -m`` puts the working directory first on ``sys.path``, and the working directory is usually
the repository being checked: a ``click.py`` or ``msgpack.py`` there would be imported in place of
loopguard's dependencies and run. loopguard never imports the code it analyses, so the entry is
dropped before anything else is imported (``loopguard/__init__.py``, imported first, imports nothing).
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from loopguard.cli import run  # only now that the working directory has left sys.path

run()
