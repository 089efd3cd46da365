"""Score the reply grammar against labelled replies (samples/replies.dev.tsv: intent TAB text).

    .venv/bin/python tools/score_replies.py [--tsv ../shared/samples/replies.dev.tsv] [--verbose]

Prints accuracy (the intent `nhacviec intent` gives equals the label) and the count of false
"done": replies read as done that the label says are not. A false "done" closes a task nobody
finished, so it counts whether or not the grammar was confident.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.replies import classify  # noqa: E402

TODAY = date(2026, 5, 4)  # a fixed Monday: relative dates in replies do not change the intent


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and "\t" in line:
            intent, text = line.split("\t", 1)
            rows.append((intent.strip(), text))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tsv", type=Path, default=ROOT.parent / "shared" / "samples" / "replies.dev.tsv")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    rows = load(args.tsv)
    if not rows:
        print(f"no labelled replies in {args.tsv}", file=sys.stderr)
        return 2
    right = false_done = 0
    for want, text in rows:
        got = classify(text, TODAY)
        right += got.intent == want
        false_done += got.intent == "done" and want != "done"
        if args.verbose and got.intent != want:
            print(f"  {want:12} got {got.intent:12} {'(unsure) ' if not got.confident else ''}{text}")
    print(f"replies: {len(rows)}, accuracy {right / len(rows):.3f} ({right}/{len(rows)}), false done {false_done}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
