#!/bin/bash
# First 16-rank check for issues 13/14 (2026-12-04, binary of f54cccd): the device-kit's run.sh,
# with the wide circuit through `bench estimator --circuit`, the 781,250-unit boundary case, and
# training at np 1/16 (static and adaptive). Bundle: EXTRA=<folder with boundary-9q-8cuts.qasm>
# bash ../shared/tools/device-kit/make-bundle.sh; copy this file to .device/run.sh.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"; LOG=$OUT/log.txt; exec > >(tee -a "$LOG") 2>&1
T0=$(date +%s); DEADLINE=${DEADLINE:-500}
left() { [ $(( $(date +%s) - T0 )) -lt $DEADLINE ]; }
step() { echo; echo "=== $(( $(date +%s) - T0 ))s: $*"; }
tar -xJf .device/qnncut-bundle.tar.xz -C / --skip-old-files --keep-directory-symlink 2>&1 | tail -3
ldconfig
export PATH=/opt/qnncut/bin:$PATH Q=/opt/qnncut/qnncut
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
cd /opt/qnncut/work
step bench estimator n 16,24 k 3,4 ranks 1..16
timeout 240 $Q bench estimator --qubits 16,24 --cuts 3,4 --ranks 1,2,4,8,16 --batch 16 --rounds 3 --json > $OUT/estimator.json
step wide 120-qubit chain: bench estimator --circuit ranks 1..16
timeout 120 $Q bench estimator --circuit wide.qasm --observable Z119 --max-fragment-qubits 12 --ranks 1,2,4,8,16 --rounds 2 --json > $OUT/wide-bench.json
for np in 1 4 16; do /usr/bin/time -f "wide estimate np=$np wall %e s maxrss %M KB" timeout 60 mpirun -np $np $Q estimate wide.qasm --observable Z119 --max-fragment-qubits 12 --json > $OUT/wide-$np.json; done
step boundary 9q 8 cuts 781250 units
for np in 1 2 4 8 16; do /usr/bin/time -f "boundary np=$np wall %e s maxrss %M KB" timeout 90 mpirun -np $np $Q estimate boundary-9q-8cuts.qasm --observable Z0 --partition AAAAAABBB --json > $OUT/boundary-$np.json; done
step train strong scaling
for run in "1 static" "16 static" "16 adaptive"; do set -- $run
  /usr/bin/time -f "train np=$1 $2 wall %e s maxrss %M KB" timeout 150 mpirun -np $1 $Q train configs/mnist-cuts-4.yaml --output /tmp/m16-$1-$2 --overwrite --schedule $2 --set training.epochs=1 --set model.qubits=16 --set data.max_per_class=200 --json > $OUT/train-$1-$2.json
done
step stragglers np 16
{ timeout 100 mpirun -np 16 $Q bench stragglers --json; echo; timeout 120 mpirun -np 16 $Q bench stragglers --qubits 16 --batch 16 --rounds 5 --json; } > $OUT/stragglers.jsonl
step transient straggler np 16
timeout 100 mpirun -np 16 $Q bench stragglers --policies speculative,adaptive --transient 5-10 --rounds 15 > $OUT/transient.txt 2>&1
