"""Median (min–max) of the reconstruct stage per plan over the repeats of bench.sh, in µs per query."""
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) != 5: continue
    rep, b, g, cfg, v = p
    d[(g, cfg, b)].append(float(v) * 1000)
print("| plan | gradients | base µs/query (median, min–max) | new µs/query | speed-up |")
print("|---|---|---|---|---|")
for g in ["none", "--gradients"]:
    for cfg in ["k2", "k3", "k4", "chain"]:
        b, n = d[(g, cfg, "base")], d[(g, cfg, "new")]
        if not b: continue
        mb, mn = statistics.median(b), statistics.median(n)
        name = {"k2": "QNN n=8, k=2", "k3": "QNN n=8, k=3", "k4": "QNN n=8, k=4", "chain": "chain 4×3, k=6, 4 terms"}[cfg]
        print(f"| {name} | {'yes' if g != 'none' else 'no'} | {mb:.1f} ({min(b):.1f}–{max(b):.1f}) | {mn:.1f} ({min(n):.1f}–{max(n):.1f}) | {mb/mn:.1f}× |  repeats {len(b)}, {len(n)}")
