"""A large roster CSV for the benchmark: the bundled sample's rows repeated, new worker ids.

    python -m bench.openfisca_peer.synth OUT.csv [--rows 100000] [--source ROSTER.csv]

The file keeps the sample's format (UTF-8 with BOM, CRLF, the same header), so
visadesk and the peer read it as they read the sample. Worker ids are
``<original>-<copy>`` so they stay unique.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

__all__ = ["SAMPLE", "main", "repeat_roster"]

SAMPLE = Path(str(resources.files("visadesk") / "data" / "sample" / "roster.csv"))


def repeat_roster(out: Path, rows: int, source: Path = SAMPLE) -> Path:
    """Write ``rows`` trips to ``out`` by cycling through the rows of ``source``."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        template = [row for row in reader if any(cell.strip() for cell in row)]
    id_column = header.index("worker_id")
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for index in range(rows):
            row = list(template[index % len(template)])
            row[id_column] = f"{row[id_column]}-{index // len(template):05d}"
            writer.writerow(row)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.openfisca_peer.synth")
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--source", type=Path, default=SAMPLE)
    args = parser.parse_args(argv)
    repeat_roster(args.out, args.rows, args.source)
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
