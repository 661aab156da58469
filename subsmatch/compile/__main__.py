"""``python -m subsmatch.compile --shared ../shared``: rebuild the reference tables."""

import sys

from subsmatch.compile.build import main

sys.exit(main())
