#!/usr/bin/env python3
"""Executor for the tests (Python standard library only): answers the protocol with counts that
depend only on each circuit's text (a hash splits the shots between an even- and an odd-parity
bitstring), so results must not depend on the rank count or the schedule; or misbehaves on purpose.

Usage: test_executor.py [MODE [RANK [AFTER]]]
       test_executor.py export DIR COUNTS.json   (the same counts for a `qnncut export` folder)
  MODE  ok (default) | garbage | exit | kill | width | short | hang | error
  RANK  misbehave only on this rank ($QNNCUT_RANK); -1 = every rank
  AFTER answer AFTER lines correctly first
"""
import hashlib
import json
import os
import signal
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
target = int(sys.argv[2]) if len(sys.argv) > 2 and mode != "export" else -1
after = int(sys.argv[3]) if len(sys.argv) > 3 and mode != "export" else 0
rank = int(os.environ.get("QNNCUT_RANK", "-1"))
faulty = mode not in ("ok", "export") and target in (-1, rank)


def counts(item, width):
    shots = item["shots"]
    k = int(hashlib.sha256(item["qasm"].encode()).hexdigest(), 16) % (shots + 1)
    even, odd = "0" * width, "0" * (width - 1) + "1"
    return {even: k, odd: shots - k} if width > 0 else {"": shots}


if mode == "export":
    folder, out = sys.argv[2], sys.argv[3]
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    result = {}
    for plan in manifest["plans"]:
        for e in plan["experiments"]:
            with open(os.path.join(folder, "circuits", e["name"] + ".qasm")) as f:
                result[e["name"]] = counts({"qasm": f.read(), "shots": e["shots"]}, e["bits"])
    with open(out, "w") as f:
        json.dump(result, f)
    sys.exit(0)

for n, line in enumerate(sys.stdin):
    request = json.loads(line)
    if faulty and n >= after:
        if mode == "garbage":
            print("this is not json\x07", flush=True)
        elif mode == "exit":
            sys.exit(3)
        elif mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif mode == "hang":
            time.sleep(3600)
        elif mode == "error":
            print(json.dumps({"id": request["id"], "error": "device offline"}), flush=True)
        elif mode in ("width", "short"):
            bits = [it["bits"] + (1 if mode == "width" else 0) for it in request["circuits"]]
            results = [{"counts": counts(it, b)} for it, b in zip(request["circuits"], bits)]
            if mode == "short":
                results[0]["counts"] = {k: max(0, v - 1) for k, v in results[0]["counts"].items()}
            print(json.dumps({"id": request["id"], "results": results}), flush=True)
        continue
    results = [{"counts": counts(it, it["bits"])} for it in request["circuits"]]
    print(json.dumps({"id": request["id"], "results": results}), flush=True)
