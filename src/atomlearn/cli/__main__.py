"""``python -m atomlearn.cli``: the same as the ``atomlearn`` command."""

import sys

from atomlearn.cli.app import main

sys.exit(main())
