"""Hot issues of the 12345 hotline: `tongban.textmining.hotspots.hot_issues` on a real export, beside
exact-subject grouping.

    .venv/bin/python benchmarks/hot_issues.py [--data PATH] [--top 10] [--repeat 5] [--half-life 30]

Reads the export (default ../shared/data/hotline/hot_topics.csv: 留言编号, 留言主题, 留言时间, 留言详情,
反对数, 点赞数), then
* prints the top --top hot issues as of the export's last message (half-life --half-life days), and again
  with a one-year half-life, i.e. the year as a whole: rank, score, messages, distinct subjects among them,
  likes, place, first–last date and title;
* times the whole grouping (`group`, vectorising included) and the whole `hot_issues`: median of --repeat runs;
* runs the naive baseline in the same process — messages grouped by identical normalised subject (admin
  codes, punctuation and spaces removed) — and prints its number of groups ≥ 2, the messages in them and
  the largest sizes, beside the same figures for the text-similarity grouping.
Exits with status 1 and a message when the data file is missing.
"""

# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import re
import statistics
import time
import unicodedata

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tongban.textmining import hotspots
from tongban.textmining.hotspots import ADMIN_CODE, HotIssue, Message

DATA = ROOT.parent / "shared" / "data" / "hotline" / "hot_topics.csv"
NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")


def subject(message: Message) -> str:
    return message.text.strip().splitlines()[0] if message.text.strip() else ""


def normalised_subject(message: Message) -> str:
    return NOT_TEXT.sub("", ADMIN_CODE.sub("", subject(message)).lower())


def baseline(messages: list[Message]) -> list[list[int]]:
    """The naive grouping: identical normalised subjects."""
    groups: dict[str, list[int]] = {}
    for i, message in enumerate(messages):
        groups.setdefault(normalised_subject(message), []).append(i)
    return sorted(groups.values(), key=len, reverse=True)


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def pad(text: str, width: int) -> str:
    """`text` cut and padded to `width` terminal columns (a Chinese character takes two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def print_issues(issues: list[HotIssue], by_id: dict[str, Message], top: int) -> None:
    print(f"{'rank':>4} {'score':>6} {'msgs':>4} {'subj':>4} {'likes':>5}  {pad('place', 18)}"
          f"{pad('first – last', 25)}title")
    for rank, issue in enumerate(issues[:top], 1):
        subjects = len({normalised_subject(by_id[i]) for i in issue.member_ids})
        dates = f"{issue.first_seen:%Y-%m-%d} – {issue.last_seen:%Y-%m-%d}"
        print(f"{rank:>4} {issue.score:>6.2f} {issue.count:>4} {subjects:>4} {issue.support:>5}  "
              f"{pad(issue.place, 18)}{pad(dates, 25)}{issue.title}")


def summary(label: str, seconds: float, groups: list[list[int]]) -> None:
    multi = [len(g) for g in groups if len(g) >= 2]
    print(f"  {pad(label, 32)}{seconds:>7.3f} s {len(multi):>6} {sum(multi):>9}   {multi[:10]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--half-life", type=float, default=30.0)
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"hot_issues benchmark: data file not found: {args.data} (pass --data PATH)")

    started = time.perf_counter()
    messages = hotspots.read_messages(args.data)
    read_seconds = time.perf_counter() - started
    if not messages:
        sys.exit(f"hot_issues benchmark: no readable messages in {args.data}")
    by_id = {m.id: m for m in messages}
    first, last = min(m.time for m in messages), max(m.time for m in messages)
    print(f"{len(messages)} messages, {first:%Y-%m-%d} – {last:%Y-%m-%d}, read in {read_seconds:.2f} s")
    print(f"defaults: threshold {hotspots.THRESHOLD} (same place −{hotspots.PLACE_BONUS}, different places "
          f"+{hotspots.PLACE_CONFLICT}), window {hotspots.WINDOW_DAYS} days, subject weight "
          f"{hotspots.SUBJECT_WEIGHT}, centroid ratio {hotspots.CENTROID_RATIO}")

    issues = hotspots.hot_issues(messages, half_life_days=args.half_life)
    print(f"\ntop {args.top} hot issues as of {last:%Y-%m-%d} (half-life {args.half_life:g} days; "
          f"{len(issues)} groups of ≥ 2 messages)")
    print_issues(issues, by_id, args.top)
    print(f"\ntop {args.top} over the whole period (half-life 365 days)")
    print_issues(hotspots.hot_issues(messages, half_life_days=365), by_id, args.top)

    groups = hotspots.group(messages)
    naive = baseline(messages)
    group_s = median_seconds(lambda: hotspots.group(messages), args.repeat)
    hot_s = median_seconds(lambda: hotspots.hot_issues(messages, half_life_days=args.half_life), args.repeat)
    naive_s = median_seconds(lambda: baseline(messages), args.repeat)
    print(f"\ngrouping {len(messages)} messages, median of {args.repeat} runs")
    print(f"  {pad('method', 32)}{'time':>9} {'groups≥2':>6} {'messages':>9}   largest")
    summary("text similarity + place + time", group_s, groups)
    summary("identical normalised subject", naive_s, naive)
    print(f"  hot_issues (grouping + ranking): {hot_s:.2f} s")
    grouped = {i for g in groups if len(g) >= 2 for i in g}
    naive_grouped = {i for g in naive if len(g) >= 2 for i in g}
    print(f"  messages in a group of ≥ 2: {len(grouped)} by similarity, {len(naive_grouped)} by identical subject "
          f"({len(naive_grouped - grouped)} of those not grouped by similarity)")
    spans = [len({normalised_subject(by_id[i]) for i in issue.member_ids}) for issue in issues[:args.top]]
    print(f"  distinct subjects in each of the top {args.top} issues: {spans} — identical-subject grouping "
          f"would have cut each into that many pieces")


if __name__ == "__main__":
    main()
