"""How much ``appraise --help`` adds to a bare Typer app of the same shape, as processes.

Run from the repository root (about 20 s):

    python benchmarks/startup_bench.py            # 15 interleaved rounds
    python benchmarks/startup_bench.py --rounds 31

The bare app is written from appraise's own command tree: the same commands, each with as many
options (plain text options, with help), so Typer and Click do the same work building it. Each
round runs, in fresh Pythons: ``python -c pass``, ``python -c "import typer, rich"``, the bare
app's ``--help`` and ``appraise --help``. Reported: the medians, and what appraise adds over
the bare app as a share of what importing Typer and rich costs (issue 20's measure: at most
0.3).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from smaa_process_bench import timed  # noqa: E402  (one process timer for both)


def bare_app() -> str:
    """A Typer app with appraise's commands and their option counts, doing nothing."""
    import typer.main

    from appraise.cli import app

    group = typer.main.get_command(app)
    lines = ["import typer", "app = typer.Typer()", ""]
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        params = [p for p in command.params if p.name != "help"]
        arguments = ", ".join(
            f"o{k}: str = typer.Option('', help='Option {k} of {name}.')"
            for k in range(len(params))
        )
        lines += [
            f"@app.command(name={name!r})",
            f"def c_{name.replace('-', '_')}({arguments}) -> None:",
            f"    '''The {name} command, doing nothing.'''",
            "",
        ]
    lines += ["app()"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare.py"
        bare.write_text(bare_app())
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import typer, rich": [sys.executable, "-c", "import typer, rich"],
            "bare app --help": [sys.executable, str(bare), "--help"],
            "appraise --help": [sys.executable, "-m", "appraise", "--help"],
        }
        for command in commands.values():
            timed(command)  # warm the caches
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(timed(command))
    median = {name: statistics.median(runs) for name, runs in times.items()}
    for name, value in median.items():
        print(f"  {name:<22}{value:6.3f} s")
    imports = median["import typer, rich"] - median["python -c pass"]
    added = median["appraise --help"] - median["bare app --help"]
    share = added / imports
    print(f"  appraise adds {added:.3f} s over the bare app: {share:.2f}x importing Typer and rich")


if __name__ == "__main__":
    main()
