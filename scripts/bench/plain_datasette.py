"""`datasette ...` as it comes, without the plugins installed beside it: the benchmark's baseline.

The portal's plugins are installed in the same environment (pyproject.toml's entry point), and Datasette loads every
installed plugin; this runs its command line with none of them (plugins/portal_site/compat.py says how).
"""

import sys

from plugins.portal_site import compat

if __name__ == "__main__":
    compat.run_plain_cli(sys.argv[1:])
