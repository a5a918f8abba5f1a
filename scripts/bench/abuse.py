"""An abusive client, run as a process of its own:
`python -m scripts.bench.abuse BASE MODE SECONDS [FLOOD_PATH [ADDRESS]]`.

It prints "ready" once its connections can start, then runs SQL that only the time limit stops (heavy-sql) or
floods a page (flood) from its own loopback address with several parallel connections until SECONDS have passed,
and prints, as JSON, the count of each status it got, the headers of the first 429 and the first body of every
other status (what the portal said when it stopped the SQL).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import httpx

# Counts until the SQL time limit stops it: a full second of SQLite work per request.
HEAVY_SQL = "/portal.json?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c"
# parallel connections and address of each mode: one address per mode, so that one abuse does not start in the
# other's debt
MODES = {"heavy-sql": (8, "127.0.0.66"), "flood": (16, "127.0.0.67")}
MAX_REQUESTS = 5_000  # per connection, whatever the time
BODY_CHARACTERS = 2_000  # of the first answer of each status but 429


async def abuse(base: str, mode: str, seconds: float, flood_path: str, address: str | None = None) -> dict:
    parallel, own = MODES[mode]
    address = address or own  # another address: one shared with ordinary users
    path = HEAVY_SQL if mode == "heavy-sql" else flood_path
    statuses, limited, bodies = {}, {}, {}
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        print("ready", flush=True)
        deadline = time.monotonic() + seconds

        async def loop():
            for _ in range(MAX_REQUESTS):
                if time.monotonic() > deadline:
                    break
                response = await client.get(path)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 429 and not limited:
                    limited.update(response.headers)
                elif response.status_code != 429:
                    bodies.setdefault(response.status_code, response.text[:BODY_CHARACTERS])

        await asyncio.gather(*(loop() for _ in range(parallel)))
    return {"statuses": statuses, "limited_headers": limited, "bodies": bodies}


if __name__ == "__main__":
    # The lowest CPU priority: the abuser's own work would be done on its own machine, not the server's.
    os.nice(19)
    flood = sys.argv[4] if len(sys.argv) > 4 else "/portal.json"
    address = sys.argv[5] if len(sys.argv) > 5 else None
    print(json.dumps(asyncio.run(abuse(sys.argv[1], sys.argv[2], float(sys.argv[3]), flood, address))))
