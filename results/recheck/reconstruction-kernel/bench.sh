#!/bin/bash
# Alternate two release builds (qnncut-base: 1b2b5b7, qnncut-new: this branch) five times and print
# the reconstruct stage (ms per query, column 10 of `qnncut bench estimator`) per plan, with and
# without gradients: the QNN family n = 8, L = 4, k = 2, 3, 4 and a 4-fragment chain (6 cuts,
# 4 observable terms). DIR holds both binaries and chain-4x3.qasm from
#     python3 bench/circuits/make_chain.py > $DIR/chain-4x3.qasm
# Usage (repository root): DIR=/tmp/bins bash results/recheck/reconstruction-kernel/bench.sh > run.txt
#     python3 results/recheck/reconstruction-kernel/median.py run.txt
source scripts/env.sh
DIR=${DIR:-/tmp/wtrec-bin}
for rep in 1 2 3 4 5; do
  for bin in base new; do
    for g in "" --gradients; do
      $DIR/qnncut-$bin bench estimator --ranks 1 --cuts 2,3,4 --batch 32 --rounds 20 $g | awk -v b=$bin -v g="${g:-none}" -v r=$rep '/^8 /{print r, b, g, "k" $3, $10}'
      $DIR/qnncut-$bin bench estimator --ranks 1 --circuit $DIR/chain-4x3.qasm --partition AAABBBCCCDDD --observable "Z2 + Z5 + Z8 + Z11" --batch 32 --rounds 20 $g | awk -v b=$bin -v g="${g:-none}" -v r=$rep '/^12 /{print r, b, g, "chain", $10}'
    done
  done
done
