"""`datasette serve` as the portal runs it (scripts/serve/command.py's command line): the same command, with two of uvicorn's
defaults that Datasette's command line leaves in place turned off.

- `server: uvicorn` on every answer: it tells a visitor what the portal runs on, and nobody needs it.
- X-Forwarded-For and X-Forwarded-Proto believed from 127.0.0.1 (uvicorn's FORWARDED_ALLOW_IPS default): any client
  on the machine, or any proxy there, could name itself any address and with it get a fresh rate-limit budget.
  Whose forwarding is believed is the rate limiter's `trusted_proxies`, configured for the proxy actually in front
  (plugins/rate_limit.py; the cluster's nginx, scripts/serve/cluster/replica.py), and nobody's by default.
"""

import sys

from plugins.portal_site import compat

UVICORN_OPTIONS = {"server_header": False, "proxy_headers": False}


def main(argv: list[str]) -> None:
    compat.run_cli(argv, **UVICORN_OPTIONS)


if __name__ == "__main__":
    main(sys.argv[1:])
