"""`python -m subtitler` behaves like the `subtitler` command."""

import sys

from subtitler.cli import main

sys.exit(main())
