#!/bin/bash
# Second 16-rank check (issues 13/14): after cost calibration; np 1 measured at the start and the end.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"; LOG=$OUT/log.txt; exec > >(tee -a "$LOG") 2>&1
T0=$(date +%s); DEADLINE=${DEADLINE:-300}
left() { [ $(( $(date +%s) - T0 )) -lt $DEADLINE ]; }
step() { echo; echo "=== $(( $(date +%s) - T0 ))s: $*"; }
tar -xJf .device/qnncut-bundle.tar.xz -C / --skip-old-files --keep-directory-symlink 2>&1 | tail -3
ldconfig
export PATH=/opt/qnncut/bin:$PATH Q=/opt/qnncut/qnncut
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
lscpu | grep -E "Model name|MHz"; cd /opt/qnncut/work
show() { python3 -c "
import json; d=json.load(open('$1'))
for r in d['rows']: print(r.get('circuit') or '', r['n'], r['cuts'], r['ranks'], r['schedule'], 'ms/q', round(r['per_query_ms']['total'],3), 'exec', round(r['per_query_ms']['execute'],3), 'wait', round(r['per_query_ms']['wait'],3), 'rec', round(r['per_query_ms']['reconstruct'],3), 'x', r.get('speedup') and round(r['speedup'],2), {k: round(v,1) for k,v in r['one_off_ms'].items()})" 2>&1; }
step bench estimator np 1, 16
timeout 150 $Q bench estimator --qubits 16,24 --cuts 3,4 --ranks 1,16 --batch 16 --rounds 3 --json > $OUT/est.json; echo "rc=$?"; show $OUT/est.json
step adaptive np 16
timeout 60 $Q bench estimator --qubits 16,24 --cuts 4 --ranks 16 --batch 16 --rounds 3 --schedule adaptive --json > $OUT/est-adaptive.json; echo "rc=$?"; show $OUT/est-adaptive.json
step boundary 781250 units np 1, 16
for np in 1 16; do left || break
  /usr/bin/time -f "boundary np=$np wall %e s maxrss %M KB" timeout 60 mpirun -np $np $Q estimate boundary-9q-8cuts.qasm --observable Z0 --partition AAAAAABBB --json > $OUT/boundary-$np.json 2>/tmp/b.err; tail -1 /tmp/b.err; python3 -c "import json; d=json.load(open('$OUT/boundary-$np.json')); print(d['values'], {k: round(v,3) for k,v in d['stages'].items()}, {k: round(v,3) for k,v in d['setup'].items()})"
done
step wide 120 qubits np 1, 16, static and adaptive
left && timeout 60 $Q bench estimator --circuit wide.qasm --observable Z119 --max-fragment-qubits 12 --ranks 1,16 --rounds 3 --json > $OUT/wide.json; show $OUT/wide.json
left && timeout 40 $Q bench estimator --circuit wide.qasm --observable Z119 --max-fragment-qubits 12 --ranks 16 --rounds 3 --schedule adaptive --json > $OUT/wide-ad.json; show $OUT/wide-ad.json
step train
for run in "16 static" "16 adaptive" "1 static"; do left || break
  set -- $run
  /usr/bin/time -f "train np=$1 $2 wall %e s" timeout 120 mpirun -np $1 $Q train configs/mnist-cuts-4.yaml --output /tmp/m-$1-$2 --overwrite --schedule $2 --set training.epochs=1 --set model.qubits=16 --set data.max_per_class=200 --json > $OUT/train-$1-$2.json 2>/tmp/t.err; tail -1 /tmp/t.err
  python3 -c "import json; d=json.load(open('$OUT/train-$1-$2.json')); print({k: d[k] for k in d if k in ('wall_seconds','final_test_accuracy')})" 2>&1 | tail -1
done
step stragglers np 16
left && { timeout 60 mpirun -np 16 $Q bench stragglers --json; echo; timeout 60 mpirun -np 16 $Q bench stragglers --qubits 16 --batch 16 --rounds 5 --json; } > $OUT/stragglers.jsonl; echo "rc=$?"
python3 -c "
import json
for line in open('$OUT/stragglers.jsonl'):
  line=line.strip()
  if not line: continue
  for r in json.loads(line)['rows']: print(r['policy'], r['ranks'], 'vs_ideal', round(r['vs_ideal'],3), 'none/ideal', round(r['vs_ideal_no_straggler'],3), 'train x', round(r['training_slowdown'],3), 'batch s', round(r['batch_s_no_straggler'],4), round(r['batch_s_straggler'],4), 'ideal', round(r['ideal_s'],4))" 2>&1
step np 1 again
left && timeout 60 $Q bench estimator --qubits 16 --cuts 3,4 --ranks 1 --batch 16 --rounds 3 --json > $OUT/est-end.json; show $OUT/est-end.json
step done
