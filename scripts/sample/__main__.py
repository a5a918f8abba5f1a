"""Command line: python -m scripts.sample --scale small|province --out data/raw [--seed N] [--residents N]."""

import argparse
import sys
from pathlib import Path

from scripts.sample import (
    admin,
    applications,
    civil_status,
    communes,
    people,
    pilots,
    procedures,
    residents,
    subscribers,
    tasks,
    vneid,
)
from scripts.sample.province import DEFAULT_SEED, SCALES
from scripts.sample.streams import stream


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.sample", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small", help="population size preset")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="directory for the CSV files")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--residents", type=int, help="number of residents, overriding --scale")
    args = parser.parse_args(argv)
    if args.residents is not None and args.residents < 200:
        parser.error("--residents must be at least 200")
    return args


def generate(out: Path, residents_count: int, seed: int, report=print) -> dict[str, int]:
    """Write every extract into `out`; return the row count of each file."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}

    def done(name: str, rows: int) -> None:
        written[name] = rows
        report(f"{name}\t{rows} rows")

    units = admin.load()
    done("project06_tasks.csv", tasks.write(out / "project06_tasks.csv"))
    done("pilot_models.csv", pilots.write(out / "pilot_models.csv"))
    done("communes.csv", communes.write(out / "communes.csv", units))

    pop = people.generate(stream(seed, "people"), units, residents_count)
    subs, main_number = subscribers.generate(stream(seed, "subscribers"), pop)
    done("residents.csv", residents.write(out / "residents.csv", stream(seed, "residents"), pop, units, main_number))
    rows, active = vneid.write(out / "vneid_accounts.csv", stream(seed, "vneid"), pop, units)
    done("vneid_accounts.csv", rows)
    done(
        "civil_status_events.csv",
        civil_status.write(out / "civil_status_events.csv", stream(seed, "civil_status"), pop, units, main_number),
    )
    done(
        "mobile_subscribers.csv",
        subscribers.write(out / "mobile_subscribers.csv", stream(seed, "subscriber-rows"), subs, pop, units),
    )
    del subs

    catalogue = procedures.catalogue()
    apps = applications.generate(stream(seed, "applications"), pop, catalogue, units, active)
    done(
        "online_applications.csv",
        applications.write(
            out / "online_applications.csv", stream(seed, "application-rows"), apps, pop, catalogue, units, main_number
        ),
    )
    received, online = apps.counts(len(catalogue))
    done("online_procedures.csv", procedures.write(out / "online_procedures.csv", catalogue, received, online))
    return written


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    count = args.residents if args.residents is not None else SCALES[args.scale]
    generate(args.out, count, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
