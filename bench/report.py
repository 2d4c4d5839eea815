"""Collects bench/run's measurements and writes the table (medians, min–max, ratios).

Usage: report.py RESULTS.jsonl OUT.md  — each line of RESULTS is one measurement:
{"key": "...", "group": "...", "label": "...", "value": float, "unit": "...", "round": n}
and lines {"ratio": "...", "group": ..., "of": key, "to": key, "goal": "..."} ask for ratios.
"""
import json
import platform
import statistics
import subprocess
import sys
import datetime

rows, ratios, notes = {}, [], []
for line in open(sys.argv[1]):
    item = json.loads(line)
    if "ratio" in item:
        ratios.append(item)
    elif "note" in item:
        notes.append(item["note"])
    else:
        rows.setdefault(item["key"], {"group": item["group"], "label": item["label"], "unit": item["unit"], "values": []})
        rows[item["key"]]["values"].append(item["value"])


def median(key):
    return statistics.median(rows[key]["values"])


def ratio(of, to):
    """Round by round where both have the same rounds (the framework rounds interleave, so a
    round's pair saw the same machine), then the median with min-max; else of medians."""
    a, b = rows[of]["values"], rows[to]["values"]
    if len(a) == len(b) and all(b):
        per_round = [x / y for x, y in zip(a, b)]
        return statistics.median(per_round), min(per_round), max(per_round)
    value = median(of) / median(to)
    return value, value, value


def fmt(v, unit):
    if unit == "req/s":
        return f"{v:,.0f}"
    if unit in ("ms", "MiB/s", "MB", "inserts/s"):
        return f"{v:,.2f}" if v < 100 else f"{v:,.0f}"
    return f"{v:g}"


cpu = ""
try:
    cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
except Exception:
    pass
out = [f"# Benchmarks — {datetime.date.today().isoformat()}", "",
       f"Machine: {subprocess.getoutput('nproc')} cores ({cpu}), {platform.system()} {platform.release()}. "
       "Servers pinned to core 0, the load generator (wrk -t1) to core 1 (taskset). "
       "Figures are medians of the rounds with min–max; ratios are taken within this one run, "
       "round by round where both sides have the same rounds.", ""]
for note in notes:
    out.append(f"- {note}")
if notes:
    out.append("")
groups = []
for key, row in rows.items():
    if row["group"] not in groups:
        groups.append(row["group"])
for group in groups:
    out += [f"## {group}", "", "| measurement | median | min – max | unit | rounds |", "|---|---|---|---|---|"]
    for key, row in rows.items():
        if row["group"] != group:
            continue
        v = row["values"]
        out.append(f"| {row['label']} | {fmt(statistics.median(v), row['unit'])} | {fmt(min(v), row['unit'])} – {fmt(max(v), row['unit'])} | {row['unit']} | {len(v)} |")
    wanted = [r for r in ratios if r["group"] == group]
    if wanted:
        out += ["", "| ratio | value | min – max by round | goal |", "|---|---|---|---|"]
        for r in wanted:
            if r["of"] in rows and r["to"] in rows and median(r["to"]) != 0:
                value, low, high = ratio(r["of"], r["to"])
                out.append(f"| {r['ratio']} | {value:.2f}× | {low:.2f} – {high:.2f} | {r.get('goal', '')} |")
    out.append("")
text = "\n".join(out)
open(sys.argv[2], "w").write(text)
print(text)
