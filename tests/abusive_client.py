"""The abusive client of test_load_isolation, run as a process of its own: `python abusive_client.py BASE MODE SECONDS`.

It prints "ready" once its connections can start, then floods or runs heavy SQL from 127.0.0.66/67 with several
parallel connections until SECONDS have passed, and prints the count of each status it got, as JSON.
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
# path, parallel connections, address: one per mode, so that one abuse does not start in the other's debt
MODES = {"heavy-sql": (HEAVY_SQL, 8, "127.0.0.66"), "flood": ("/portal/tasks.json", 16, "127.0.0.67")}
MAX_REQUESTS = 5_000  # per connection, whatever the time


async def abuse(base: str, mode: str, seconds: float) -> dict:
    path, parallel, address = MODES[mode]
    statuses = {}
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        print("ready", flush=True)
        deadline = time.monotonic() + seconds

        async def loop():
            for _ in range(MAX_REQUESTS):
                if time.monotonic() > deadline:
                    break
                status = (await client.get(path)).status_code
                statuses[status] = statuses.get(status, 0) + 1

        await asyncio.gather(*(loop() for _ in range(parallel)))
    return statuses


if __name__ == "__main__":
    # The lowest CPU priority: the abuser's own work would be done on its own machine, not the server's.
    os.nice(19)
    print(json.dumps(asyncio.run(abuse(sys.argv[1], sys.argv[2], float(sys.argv[3])))))
