"""Judge the numbers against issue 14's goals and print them as one table (the same data goes to JSON)."""

from measure import READS, SIZES
from settings import GOALS

# The list goals (p95, share of bare) hold for the two lists the war room polls, as every screen polls them;
# their no-cache twins are measured beside them (the first poll after a write) and judged only for flatness.
LIST_READS = ("war_room", "sla_breaches")


def _ratio(large: float, small: float) -> float:
    return round(large / small, 2) if small else float("inf")


def judge(results: dict) -> list[dict]:
    """One row per goal: what was measured, the limit, PASS/FAIL. A load run with non-2xx answers or socket
    errors is INVALID: its rate would count errors as work."""
    single, load, sizes = results["single"], results["load"], results["meta"]["sizes"]
    small, large = _short(sizes["small"]), _short(sizes["large"])
    goals = []

    def add(goal: str, read: str, value, limit, ok: bool, unit: str = "") -> None:
        goals.append(
            {
                "goal": goal,
                "read": read,
                "value": value,
                "limit": limit,
                "unit": unit,
                "result": "PASS" if ok else "FAIL",
            }
        )

    for read in READS:
        if read.key == "projects" or read.key not in single:
            continue
        ratio = single[read.key]["ratio"]
        add(
            f"{large}/{small} single-request cost",
            read.key,
            ratio,
            GOALS["flat_ratio"],
            ratio <= GOALS["flat_ratio"],
            "x",
        )
    for key in LIST_READS:
        if key not in load:
            continue
        p95 = _worst_p95(load[key])
        add(f"p95 under load, {large}", key, p95, GOALS["list_p95_ms"], p95 <= GOALS["list_p95_ms"], "ms")
        share = share_of_bare(load[key])
        add(
            f"req/s share of bare Flask, {large}",
            key,
            share,
            GOALS["list_share_of_bare"],
            share >= GOALS["list_share_of_bare"],
        )
    if "metrics" in load:
        metrics_p95 = load["metrics"]["large"]["p95_ms"]
        add(
            f"p95 under load, {large}",
            "metrics",
            metrics_p95,
            GOALS["metrics_p95_ms"],
            metrics_p95 <= GOALS["metrics_p95_ms"],
            "ms",
        )
    if "projects" in load:
        share = share_of_bare(load["projects"])
        add(
            "req/s share of bare Flask (2 rows)",
            "projects",
            share,
            GOALS["projects_share_of_bare"],
            share >= GOALS["projects_share_of_bare"],
        )
    for key, runs in load.items():
        for size, run in _every_run(runs):
            if run["non_2xx"] or run["socket_errors"]:
                goals.append(
                    {
                        "goal": f"clean load run ({size})",
                        "read": key,
                        "value": run["non_2xx"] + run["socket_errors"],
                        "limit": 0,
                        "unit": " errors",
                        "result": "INVALID",
                    }
                )
    return goals


def share_of_bare(runs: dict) -> float:
    """The app's req/s at the large size over bare Flask's: the median of the alternating pairs when the read ran
    in rounds (measure.paired_rounds), else its one pair."""
    if "share" in runs:
        return runs["share"]
    large, bare = runs["large"], runs["bare"]
    return round(large["rps"] / bare["rps"], 3) if bare["rps"] else 0


def _worst_p95(runs: dict) -> float:
    return runs.get("worst_p95_ms", runs["large"]["p95_ms"])


def _every_run(runs: dict):
    """(label, wrk run) of every run of one read, each pair's included."""
    for size in SIZES:
        if size in runs:
            yield size, runs[size]
    for index, pair in enumerate(runs.get("rounds", ())):
        yield f"pair {index + 1} large", pair["large"]
        yield f"pair {index + 1} bare", pair["bare"]


def _short(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def single_ratios(single: dict) -> None:
    for entry in single.values():
        entry["ratio"] = _ratio(entry["large"]["median_ms"], entry["small"]["median_ms"])


def render(results: dict) -> str:
    meta, single, load = results["meta"], results["single"], results["load"]
    small, large = f"{meta['sizes']['small']:,}", f"{meta['sizes']['large']:,}"
    before, after = (" / ".join(f"{x:.1f}" for x in meta[k]) for k in ("loadavg_before", "loadavg_after"))
    lines = [
        f"Meridian load benchmark, commit {meta['commit']}: gunicorn {meta['workers']} workers x {meta['threads']} "
        f"thread(s); wrk {meta['connections']} connections x {meta['duration_s']} s; PostgreSQL as meridian_app "
        f"with RLS; Redis",
        f"incidents: {small} vs {large} in one project, {meta['sizes']['noise']:,} in another tenant; "
        f"single request = median of up to {meta['samples']} sequential requests; times in ms",
        f"machine: {meta['cpus']} CPUs, load average {before} before the run, {after} after "
        f"(other work on the machine slows every number, the bare app's too)",
        "",
    ]
    head = (
        f"{'read':<24}{'1 req ' + small:>13}{'1 req ' + large:>15}{'ratio':>7}  |"
        f"{'load ' + small + ': req/s  p50   p95':>34}  |{'load ' + large + ': req/s   p50    p95':>37}  |"
        f"{'bare: req/s  p95':>17}{'% bare':>8}"
    )
    lines += [head, "-" * len(head)]
    for read in READS:
        if not read.loaded or read.key not in single:
            continue
        s, runs = single[read.key], load.get(read.key, {})
        row = f"{read.label:<24}{s['small']['median_ms']:>11.1f}ms{s['large']['median_ms']:>13.1f}ms{s['ratio']:>6.2f}x  |"
        row += _load_cell(runs.get("small"), 34) + "  |" + _load_cell(runs.get("large"), 37) + "  |"
        bare = runs.get("bare")
        if bare:
            row += f"{bare['rps']:>11.0f} {bare['p95_ms']:>5.1f}{100 * share_of_bare(runs):>7.1f}%"
        lines.append(row)
        if runs.get("rounds"):
            pairs = ", ".join(
                f"{p['large']['rps']:.0f}/{p['bare']['rps']:.0f} = {100 * p['share']:.1f}%" for p in runs["rounds"]
            )
            lines.append(f"{'':<24}{len(runs['rounds'])} alternating pairs (app/bare req/s), median shown: {pairs}")
    lines += [
        "",
        f"{'other list (limit=50)':<30}{'1 req ' + small:>13}{'1 req ' + large:>15}{'ratio':>8}"
        f"{'total ' + small:>14}{'total ' + large:>16}",
        "-" * 96,
    ]
    for read in READS:
        if read.loaded or read.key not in single:
            continue
        s = single[read.key]
        lines.append(
            f"{read.label:<30}{s['small']['median_ms']:>11.1f}ms{s['large']['median_ms']:>13.1f}ms"
            f"{s['ratio']:>7.2f}x{_total(s['small']):>14}{_total(s['large']):>16}"
        )
    lines += ["", "goals (issue 14)", "-" * 96]
    for goal in results["goals"]:
        value = f"{goal['value']}{goal['unit']}"
        lines.append(f"{goal['result']:<8}{goal['read']:<18}{goal['goal']:<40}{value:>12}  (limit {goal['limit']})")
    passed = sum(g["result"] == "PASS" for g in results["goals"])
    lines.append(f"{passed} of {len(results['goals'])} goals pass; run took {meta['elapsed_s']:.0f} s")
    return "\n".join(lines)


def _load_cell(run: dict | None, width: int) -> str:
    if not run:
        return " " * width
    return f"{run['rps']:>{width - 16}.1f} {run['p50_ms']:>7.1f} {run['p95_ms']:>7.1f}"


def _total(sample: dict) -> str:
    if not isinstance(sample.get("total"), int):
        return "-"
    return f"{sample['total']:,}" + ("+" if sample.get("total_capped") else "")
