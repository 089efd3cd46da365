"""Score the notice parser against a clerk's answers (samples/dev/*.labels.json and the seed notice).

    .venv/bin/python tools/score_parser.py [--samples ../shared/samples] [--verbose]

Matching, following samples/CONVENTIONS.md: a found task matches a labelled one when the clerk's
action is in the found text (compared on letters and digits only, accents kept, case and spaces
ignored since names and PDF words are "kept as written"; the first 60% of the action's words in
order is enough, since the clerk's action is a minimal span) — each
labelled task matches at most one found task, greedily in order. Then:
  recall    = matched / labelled            precision = matched / found
  lead      = matched tasks whose lead names equal the clerk's (unit_key: "Uỷ"/"Ủy", spacing, case)
  deadline  = matched tasks whose ISO deadline equals the clerk's (null = null)
Overall figures pool the tasks of every document (micro average).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.directory.unitmatch import unit_key  # noqa: E402
from bot.notices.parser import parse_notice  # noqa: E402


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower().replace("uỷ", "ủy").replace("ỷ", "ỷ")
    return re.findall(r"[^\W_]+", text)


def _contains(found: str, action: str) -> bool:
    """The first 60% of the action's words appear in the found text, in order and adjacent."""
    want = _words(action)
    have = "".join(_words(found))  # without spaces: PDF repair may split "vụtừ" that the clerk kept
    if not want:
        return False
    head = want[: max(3, round(len(want) * 0.6))]
    return "".join(head) in have


def _lead_key(names: list[str]) -> list[str]:
    # spaces ignored: the clerk keeps "Đảng uỷUBND xã" as the PDF wrote it, the parser repairs it
    return sorted(unit_key(n).replace(" ", "") for n in names)


@dataclass
class Score:
    labelled: int = 0
    found: int = 0
    matched: int = 0
    lead: int = 0
    deadline: int = 0

    def add(self, other: "Score") -> None:
        for f in ("labelled", "found", "matched", "lead", "deadline"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def figures(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return a / b if b else 1.0
        return {"recall": ratio(self.matched, self.labelled), "precision": ratio(self.matched, self.found),
                "lead": ratio(self.lead, self.matched), "deadline": ratio(self.deadline, self.matched)}


def score_document(text: str, labels: dict, verbose: bool = False) -> Score:
    tasks = parse_notice(text).to_json()["tasks"]
    expected = labels["tasks"]
    score = Score(labelled=len(expected), found=len(tasks))
    used: set[int] = set()
    for e in expected:
        hit = next((i for i, t in enumerate(tasks) if i not in used and _contains(t["text"], e["action"])), None)
        if hit is None:
            if verbose:
                print(f"    MISSED  {e['lead']} — {e['action'][:90]}")
            continue
        used.add(hit)
        got = tasks[hit]
        score.matched += 1
        lead_ok = _lead_key(got["lead"]) == _lead_key(e["lead"])
        deadline_ok = got["deadline"] == e["deadline"]
        score.lead += lead_ok
        score.deadline += deadline_ok
        if verbose and not (lead_ok and deadline_ok):
            print(f"    WRONG   lead {got['lead']} (clerk {e['lead']}); deadline {got['deadline']} "
                  f"(clerk {e['deadline']}) — {e['action'][:60]}")
    if verbose:
        for i, t in enumerate(tasks):
            if i not in used:
                print(f"    EXTRA   {t['lead']} — {t['text'][:90]}")
    return score


def documents(samples: Path) -> list[tuple[str, Path, Path]]:
    docs = [("seed-notice", samples / "seed-notice.txt", samples / "seed-notice.labels.json")]
    for labels in sorted((samples / "dev").glob("*.labels.json")):
        text = labels.with_name(labels.name.replace(".labels.json", ".txt"))
        docs.append((labels.name.removesuffix(".labels.json"), text, labels))
    return [d for d in docs if d[1].exists() and d[2].exists()]


def _strip_provenance(text: str) -> str:
    # line 1 of a dev text is "# source: …": provenance, not document text
    return text.split("\n", 1)[1] if text.startswith("# source:") else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    docs = documents(args.samples)
    if not docs:
        print(f"no labelled documents under {args.samples}", file=sys.stderr)
        return 2
    total, dev = Score(), Score()
    print(f"{'document':60} {'found':>5} {'label':>5} {'recall':>7} {'prec':>6} {'lead':>6} {'dline':>6}")
    for name, text_path, labels_path in docs:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        if args.verbose:
            print(f"  {name}")
        score = score_document(_strip_provenance(text_path.read_text(encoding="utf-8")), labels, args.verbose)
        f = score.figures()
        print(f"{name[:60]:60} {score.found:5} {score.labelled:5} {f['recall']:7.2f} {f['precision']:6.2f} "
              f"{f['lead']:6.2f} {f['deadline']:6.2f}")
        total.add(score)
        if name != "seed-notice":
            dev.add(score)
    for title, score in (("dev set (6 documents, without the seed notice)", dev), ("all", total)):
        f = score.figures()
        print(f"{title[:60]:60} {score.found:5} {score.labelled:5} {f['recall']:7.2f} {f['precision']:6.2f} "
              f"{f['lead']:6.2f} {f['deadline']:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
