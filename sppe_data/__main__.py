"""``python -m sppe_data``: the ``sppe`` command line, for checkouts without the console
script (the command line lives above the data layer, in ``sppe_cli``)."""

import sys

from sppe_cli.main import main

sys.exit(main(prog="python -m sppe_data"))
