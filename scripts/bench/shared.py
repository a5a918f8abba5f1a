"""Shared address: 20 ordinary users and one abusive client behind one IPv4 address, as carrier-grade NAT puts them.

Every client binds the same loopback address (127.0.0.40, used by no other part of the benchmark). The users, on five
browsers (users with the same phone send the same headers), each open one of the ordinary pages, fetch the static
assets it links to, and wait 2 to 5 seconds before the next, for the whole window. Beside them, from the same address,
the abusive client of `abuse.py` floods a page (16 connections), then, in a second window, runs SQL that only the time
limit stops (8 connections). Reported: each side's share of answers 429 (target: 0 for the users; the abuser
throttled). Run alone: `python -m scripts.bench.shared BASE SECONDS PATH...` prints the figures as JSON.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys

import httpx

from scripts.bench.isolation import add, finish_abuse, start_abuse

ADDRESS = "127.0.0.40"
USERS = 20
BROWSERS = [
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile",
    "Mozilla/5.0 (Linux; Android 14; CPH2591) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
]
PAUSE_SECONDS = (2.0, 5.0)  # between one user's pages
MODES = ("flood", "heavy-sql")
ASSET = re.compile(rb'(?:href|src)="(/(?:-/static|-/static-plugins|static)/[^"?#]+)')


def assets(page: bytes) -> list[str]:
    """The static files a page links to, as a browser would fetch them."""
    return list(dict.fromkeys(path.decode() for path in ASSET.findall(page)))


async def _user(base: str, n: int, paths: list[str], seconds: float) -> tuple[dict, dict]:
    """One user's statuses: for its pages and for their static assets."""
    rng = random.Random(n)
    pages, files = {}, {}
    loop = asyncio.get_running_loop()
    headers = {"User-Agent": BROWSERS[n % len(BROWSERS)], "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}
    async with httpx.AsyncClient(
        base_url=base, transport=httpx.AsyncHTTPTransport(local_address=ADDRESS), headers=headers, timeout=30
    ) as client:
        deadline = loop.time() + seconds
        await asyncio.sleep(rng.uniform(0, PAUSE_SECONDS[1]))
        while loop.time() < deadline:
            page = await client.get(rng.choice(paths))
            add(pages, {page.status_code: 1})
            for path in assets(page.content) if page.status_code == 200 else []:
                add(files, {(await client.get(path)).status_code: 1})
            await asyncio.sleep(rng.uniform(*PAUSE_SECONDS))
    return pages, files


def users_window(base: str, paths: list[str], seconds: float) -> tuple[dict, dict]:
    async def users():
        return await asyncio.gather(*(_user(base, n, paths, seconds) for n in range(USERS)))

    pages, files = {}, {}
    for user_pages, user_files in asyncio.run(users()):
        add(pages, user_pages)
        add(files, user_files)
    return pages, files


def throttled(statuses: dict) -> float | None:
    total = sum(statuses.values())
    return statuses.get(429, 0) / total if total else None


def measure_shared(base: str, paths: list[str], seconds: float) -> dict:
    """The users' and the abuser's statuses, and their shares of 429, for each abuse beside the users."""
    modes = {}
    for mode in MODES:
        abuser = start_abuse(base, mode, seconds + 0.5, paths[1], ADDRESS)
        pages, files = users_window(base, paths, seconds)
        abusive = finish_abuse(abuser)["statuses"]
        abusive = {int(status): count for status, count in abusive.items()}
        modes[mode] = {
            "pages": pages,
            "assets": files,
            "abusive": abusive,
            "users_throttled": throttled(pages),
            "assets_throttled": throttled(files),
            "abuser_throttled": throttled(abusive),
        }
    return {
        "address": ADDRESS,
        "users": USERS,
        "browsers": len(BROWSERS),
        "seconds": seconds,
        "paths": paths,
        "modes": modes,
    }


if __name__ == "__main__":
    print(json.dumps(measure_shared(sys.argv[1], sys.argv[3:], float(sys.argv[2])), indent=2))
