import sys

from sppe_data.cli import main

sys.exit(main())
