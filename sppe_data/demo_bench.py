"""Timings of the demo generator: ``python -m sppe_data.demo_bench [--scales 1,100,1000]``.

Printed figures, not timed tests. For each scale, ``demo.generate`` runs in a fresh
Python process (one run's memory never carries into the next), writing into a temporary
folder that is removed afterwards:

- the rows written, all extracts together;
- the time of ``generate`` alone, and that of the whole process (start-up and imports
  included, as ``python -m sppe_data demo`` takes): the median of ``--repeat`` runs up
  to scale 100, one run above (scale 1000 takes seconds, not milliseconds);
- the peak resident memory of the process (``ru_maxrss``), the largest over the runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sppe_data import fmt

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCALES = (1.0, 100.0, 1000.0)
MAX_SCALE = 1000.0  # as ``sppe demo --scale``
REPEAT_UP_TO = 100.0  # scales above: one run

# Run in the child process: one generation, its figures as JSON on the last line.
CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from sppe_data import demo
out, seed, scale, as_of = sys.argv[1:5]
started = time.perf_counter()
result = demo.generate(Path(out), seed=int(seed), scale=float(scale),
                       as_of=date.fromisoformat(as_of))
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": sum(result.row_counts.values()),
                  "peak_mb": peak_kb / 1024}))
"""


class BenchError(RuntimeError):
    """A run failed; ``str()`` is a French message."""


@dataclass(frozen=True)
class Run:
    rows: int
    seconds: float  # generate() alone
    process_seconds: float  # the whole child process
    peak_mb: float


@dataclass(frozen=True)
class ScaleFigures:
    scale: float
    runs: list[Run]

    @property
    def rows(self) -> int:
        return self.runs[0].rows

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def process_seconds(self) -> float:
        return statistics.median(r.process_seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def run_once(scale: float, seed: int, as_of: date) -> Run:
    """One generation in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="sppe-demo-bench-") as out:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, out, str(seed), repr(scale), as_of.isoformat()],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        process_seconds = time.perf_counter() - started
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["sans message"]
        raise BenchError(f"la génération à l'échelle {fmt.smart(scale)} a échoué : {detail[0]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(
        rows=int(figures["rows"]),
        seconds=float(figures["seconds"]),
        process_seconds=process_seconds,
        peak_mb=float(figures["peak_mb"]),
    )


def run(
    scales: list[float], seed: int = 42, as_of: date | None = None, repeat: int = 3
) -> list[ScaleFigures]:
    as_of = as_of or date.today()
    return [
        ScaleFigures(
            scale,
            [run_once(scale, seed, as_of) for _ in range(repeat if scale <= REPEAT_UP_TO else 1)],
        )
        for scale in scales
    ]


def report(results: list[ScaleFigures], seed: int, as_of: date) -> str:
    header = ["Échelle", "Lignes", "Génération (s)", "Processus (s)", "Pic mémoire (Mo)", "Essais"]
    rows = [
        [
            fmt.smart(r.scale),
            fmt.number(r.rows),
            fmt.number(r.seconds, 2),
            fmt.number(r.process_seconds, 2),
            fmt.number(r.peak_mb),
            str(len(r.runs)),
        ]
        for r in results
    ]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = [
        "Générateur de données de démonstration "
        f"(graine {seed}, date des données {fmt.day(as_of)})",
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
        *(" | ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in rows),
        "Temps : médiane des essais (un seul essai au-delà de l'échelle "
        f"{fmt.smart(REPEAT_UP_TO)}) ; processus = démarrage et imports compris ; "
        "pic mémoire : le plus haut des essais.",
    ]
    return "\n".join(lines)


def _scales(text: str) -> list[float]:
    try:
        scales = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"liste d'échelles invalide : {text!r}") from None
    if not scales or any(not 0 < s <= MAX_SCALE for s in scales):
        raise argparse.ArgumentTypeError(
            f"chaque échelle doit être strictement positive et au plus {fmt.smart(MAX_SCALE)}"
        )
    return scales


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide : {text!r} (AAAA-MM-JJ)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sppe_data.demo_bench",
        description="Pilotage SPPE : temps et mémoire du générateur de démonstration",
    )
    parser.add_argument(
        "--scales",
        type=_scales,
        default=list(DEFAULT_SCALES),
        help="échelles séparées par des virgules (1,100,1000 par défaut)",
    )
    parser.add_argument("--seed", type=int, default=42, help="graine (42 par défaut)")
    parser.add_argument(
        "--as-of", type=_date, default=None, help="date des données AAAA-MM-JJ (aujourd'hui)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help=f"essais par échelle jusqu'à {fmt.smart(REPEAT_UP_TO)} (3 par défaut)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat < 1:
        print("Erreur : --repeat doit être au moins 1.", file=sys.stderr)
        return 2
    as_of = args.as_of or date.today()
    from sppe_data.demo import MISSION_START

    if as_of < MISSION_START:
        print(
            "Erreur : la date des données ne peut précéder le début de la mission (mai 2024).",
            file=sys.stderr,
        )
        return 2
    try:
        results = run(args.scales, seed=args.seed, as_of=as_of, repeat=args.repeat)
    except BenchError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(report(results, args.seed, as_of))
    return 0


if __name__ == "__main__":
    sys.exit(main())
