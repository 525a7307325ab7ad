"""Checks qnncut_traces.load on a fresh trace against `qnncut analyze --format json` of the same
file and against the file itself, then on an old-style (schema 2) copy and on refused files.

    python python/tests/test_load.py RUN/traces.h5 ANALYZE.json
"""
import json
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd

import qnncut_traces


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main(trace_path, analyze_path):
    analyzed = json.load(open(analyze_path))["runs"][0]
    trace = qnncut_traces.load(trace_path)

    check(trace.schema_version == qnncut_traces.NEWEST_VERSION, f"version {trace.schema_version}")
    check(set(trace.tables) == set(qnncut_traces.TABLES), f"tables {sorted(trace.tables)}")
    queries = trace.tables["queries"]
    check(isinstance(queries, pd.DataFrame), "pandas installed: DataFrames")
    check(len(queries) == analyzed["queries"], f"{len(queries)} query rows, analyze {analyzed['queries']}")
    median_ms = 1000 * queries.total_s.median()
    check(abs(median_ms - analyzed["per_query_ms"]["total"]["median"]) <= 1e-9 * median_ms, "median ms per query")
    check(len(trace.tables["steps"]) == analyzed["steps"], "steps")
    check(trace.tables["epochs"].test_accuracy.iloc[-1] == analyzed["final_test_accuracy"], "final test accuracy")

    # Units and descriptions, for every column of every table, as stored.
    check(trace.units["queries"]["total_s"] == "s" and trace.units["robustness"]["strength"] == "rad", "units")
    check(queries.attrs["units"] == trace.units["queries"], "DataFrame attrs carry the units")
    for name, columns in trace.units.items():
        frame = trace.tables[name]
        check(list(columns) == list(frame.columns), f"{name}: units for every column")
        check(all(columns.values()), f"{name}: no column without units")
        check(all(trace.descriptions[name].values()) and trace.table_descriptions[name], f"{name}: descriptions")

    # Attributes: numbers as numbers, the config as a dict.
    check(trace.attrs["world_size"] == analyzed["ranks"] and isinstance(trace.attrs["world_size"], int), "world_size")
    check(isinstance(trace.config, dict) and trace.config["name"] == "iris", f"config {trace.config_text}")
    check(trace.plans[0]["cuts"] == analyzed["cuts"] == int(trace.config["model"]["cuts"]), "plan cuts")

    # Record arrays without pandas.
    plain = qnncut_traces.load(trace_path, pandas=False)
    check(isinstance(plain.tables["queries"], np.recarray), "record arrays")
    check(np.array_equal(plain.tables["queries"].total_s, queries.total_s.to_numpy()), "same rows")

    folder = tempfile.mkdtemp()
    try:
        # A schema-2 file: world_size a string, config YAML, no units.
        old = os.path.join(folder, "old.h5")
        shutil.copy(trace_path, old)
        with h5py.File(old, "r+") as f:
            f.attrs["schema_version"] = 2
            f.attrs["world_size"] = str(trace.attrs["world_size"])
            f.attrs["config"] = "{model: {cuts: 2}, name: iris}"
            for name in qnncut_traces.TABLES:
                for key in ("units", "description", "column_descriptions"):
                    del f[name].attrs[key]
        legacy = qnncut_traces.load(old)
        check(legacy.attrs["world_size"] == trace.attrs["world_size"], "old world_size string read as a number")
        check(set(legacy.units["queries"].values()) == {None}, "old files: units unknown")
        check(legacy.config_text.startswith("{model"), "old config kept as text")
        check(len(legacy.tables["queries"]) == len(queries), "old rows")

        # Refused: a newer version, another schema.
        for attribute, value, words in [("schema_version", qnncut_traces.NEWEST_VERSION + 1, "schema_version"),
                                        ("schema", "qnncut-checkpoint", "not 'qnncut-traces'")]:
            bad = os.path.join(folder, "bad.h5")
            shutil.copy(trace_path, bad)
            with h5py.File(bad, "r+") as f:
                f.attrs[attribute] = value
            try:
                qnncut_traces.load(bad)
            except ValueError as error:
                check(bad in str(error) and words in str(error), f"message: {error}")
            else:
                raise AssertionError(f"{attribute}={value!r} was not refused")
    finally:
        shutil.rmtree(folder)
    print(f"qnncut_traces: {trace_path}: {len(trace.tables)} tables, {len(queries)} queries, units and old files OK")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
