"""Notice parser speed: the sample notice (or our largest fixture) after start-up, and a 200-page notice.

    .venv/bin/python bench/bench_parse.py

Prints figures; goals: < 50 ms for the sample after start-up, < 5 s for 200 pages.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.notices import parse_notice  # noqa: E402
from bot.notices.parser import clear_caches  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "samples" / "seed-notice.txt"
FIXTURES = ROOT / "tests" / "notices" / "fixtures"


def _source() -> tuple[str, str]:
    if SAMPLE.exists():
        return "sample notice (seed-notice.txt)", SAMPLE.read_text(encoding="utf-8")
    largest = max(FIXTURES.glob("*.txt"), key=lambda p: p.stat().st_size)
    return f"largest fixture ({largest.name})", largest.read_text(encoding="utf-8")


def _big_notice(pages: int) -> str:
    """About 200 pages: every fixture's body repeated under numbered sections (≈ 3,000 characters a page)."""
    bodies = []
    for path in sorted(FIXTURES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        start = text.find("như sau:")
        bodies.append(text[start + len("như sau:"):] if start >= 0 else text)
    body = "\n".join(b.split("Nơi nhận")[0] for b in bodies)
    head = ("UBND HUYỆN THỬ NGHIỆM\nSố: 1/TB-UBND\nThử Nghiệm, ngày 02 tháng 1 năm 2025\nTHÔNG BÁO\n"
            "Kết luận của Chủ tịch UBND huyện tại hội nghị ngày 01/01/2025\nChủ tịch UBND huyện kết luận như sau:\n")
    parts, size, n = [head], 0, 0
    while size < pages * 3000:
        n += 1
        chunk = f"\n{n}. Lĩnh vực thứ {n}\n{body}\n"
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


def main() -> None:
    label, text = _source()
    t0 = time.perf_counter()
    first = parse_notice(text)
    cold = time.perf_counter() - t0
    runs, cpu = [], []
    for _ in range(20):
        clear_caches()  # no help from the previous run
        t0, c0 = time.perf_counter(), time.process_time()
        parse_notice(text)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"{label}: {len(text):,} characters, {len(first.tasks)} tasks")
    print(f"  first parse (includes regex compilation): {cold * 1000:.1f} ms")
    print(f"  after start-up: median {statistics.median(runs) * 1000:.1f} ms, "
          f"max {max(runs) * 1000:.1f} ms over {len(runs)} runs; CPU time median "
          f"{statistics.median(cpu) * 1000:.1f} ms (goal < 50 ms; wall time suffers on a busy machine)")

    big = _big_notice(200)
    clear_caches()
    t0, c0 = time.perf_counter(), time.process_time()
    parsed = parse_notice(big)
    elapsed, cpu_big = time.perf_counter() - t0, time.process_time() - c0
    print(f"generated 200-page notice: {len(big):,} characters, {len(parsed.tasks):,} tasks, "
          f"{elapsed:.2f} s wall, {cpu_big:.2f} s CPU (goal < 5 s)")


if __name__ == "__main__":
    main()
