"""Tables of the straggler study (run.sh): per family, rank count and policy, the median over
repeats (and the range) of batch time ÷ capacity ideal with and without the straggler, the
with/without slowdown and the training-time slowdown; rank 0's stage times (where the distance
from the ideal goes); the reference work measured before and after; and the transient straggler
per round."""
import json, statistics, sys
from collections import defaultdict

rows = defaultdict(list)
transient = defaultdict(list)
random_rounds = defaultdict(list)
for line in open(sys.argv[1]):
    entry = json.loads(line)
    for row in entry["report"]["rows"]:
        key = (entry["tag"], row["ranks"], row["policy"])
        {"transient": transient, "random": random_rounds}.get(entry["tag"], rows)[key].append(row)

def cell(values):
    m = statistics.median(values)
    return f"{m:.3f} ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else f"{m:.3f}"

family = {"n8": "n 8, k 4, batch 32", "n16": "n 16, k 4, batch 16"}
print("| family | np | policy | ÷ ideal, straggler | ÷ ideal, none | with ÷ without | training with ÷ without | repeats |")
print("|---|---|---|---|---|---|---|---|")
order = ["static", "cyclic", "dynamic", "speculative", "adaptive"]
for (tag, ranks, policy), rs in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], order.index(kv[0][2]))):
    print(f"| {family[tag]} | {ranks} | {policy} | {cell([r['vs_ideal'] for r in rs])} | "
          f"{cell([r['vs_ideal_no_straggler'] for r in rs])} | {cell([r['slowdown'] for r in rs])} | "
          f"{cell([r['training_slowdown'] for r in rs])} | {len(rs)} |")
cores = sorted({r["cores"] for rs in rows.values() for r in rs})
print(f"\n(ranges are min–max over repeats; capacity capped at {cores} core(s))\n")

staged = {k: rs for k, rs in rows.items() if all("stages_no_straggler" in r for r in rs)}
if staged:
    print("Rank 0's stages, ms, median over repeats of each run's per-round medians: "
          "ideal / generate / execute / wait / reconstruct")
    print()
    print("| family | np | policy | none: ideal | gen | exec | wait | recon | straggler: ideal | gen | exec | wait | recon |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    stages = ["generate", "execute", "wait", "reconstruct"]
    def ms(rs, key, stage):
        return f"{1e3 * statistics.median(r[key][stage] for r in rs):.2f}"
    for (tag, ranks, policy), rs in sorted(staged.items(), key=lambda kv: (kv[0][0], kv[0][1], order.index(kv[0][2]))):
        none = " | ".join(ms(rs, "stages_no_straggler", s) for s in stages)
        slow = " | ".join(ms(rs, "stages_straggler", s) for s in stages)
        ideal = lambda key: f"{1e3 * statistics.median(r[key] for r in rs):.2f}"
        print(f"| {family[tag]} | {ranks} | {policy} | {ideal('ideal_s_no_straggler')} | {none} | "
              f"{ideal('ideal_s')} | {slow} |")
    print()
    pairs = [r["work_s_before_after"] for rs in rows.values() for r in rs if "work_s_before_after" in r]
    if pairs:
        spread = [max(p) / min(p) - 1 for p in pairs]
        print(f"Reference work measured before and after each run's policies (the smaller is used): "
              f"they differed by {100 * statistics.median(spread):.1f} % at the median, "
              f"{100 * max(spread):.1f} % at most.\n")
if transient:
    print("Transient straggler (np 2, slow in timed rounds 5–10): median over repeats of each round ÷ its ideal, and the straggler's share of the round's units")
    print()
    for (tag, ranks, policy), rs in sorted(transient.items()):
        n = len(rs[0]["per_round_vs_ideal"])
        per_round = [statistics.median(r["per_round_vs_ideal"][k] for r in rs) for k in range(n)]
        share = [statistics.median(r["per_round_straggler_share"][k] for r in rs) for k in range(n)]
        print(f"* {policy}, ÷ ideal: " + " ".join(f"{v:.2f}" for v in per_round))
        print(f"* {policy}, share:   " + " ".join(f"{v:.2f}" for v in share))

def classes(row):
    """Medians of a row's per-round ratios: slow rounds, rounds right after one, the rest."""
    slow = set(row["transient_rounds"])
    groups = ([], [], [])
    for k, ratio in enumerate(row["per_round_vs_ideal"]):
        t = k + 1
        groups[0 if t in slow else 1 if t - 1 in slow else 2].append(ratio)
    return [statistics.median(g) if g else float("nan") for g in groups]

if random_rounds:
    first = next(iter(random_rounds.values()))[0]
    print()
    print(f"Straggler slow in random rounds (np 2, probability 0.3, {len(first['per_round_vs_ideal'])} timed rounds, "
          f"slow in {len(first['transient_rounds'])} of them): median over repeats of each run's median ÷ ideal")
    print()
    print("| policy | slow rounds | rounds right after a slow one | other rounds | repeats |")
    print("|---|---|---|---|---|")
    for (tag, ranks, policy), rs in sorted(random_rounds.items(), key=lambda kv: order.index(kv[0][2])):
        c = [cell([classes(r)[i] for r in rs]) for i in range(3)]
        print(f"| {policy} | {c[0]} | {c[1]} | {c[2]} | {len(rs)} |")
