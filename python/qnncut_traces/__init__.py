"""Read qnncut's traces.h5 files (schema "qnncut-traces", versions 1-3) as tables with units.

The layout is documented in docs/hdf5-schema.md and defined once in
Sources/TraceSchema/TraceSchema.swift; since version 3 every table stores its own units and
descriptions, which this reader returns beside the rows.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import h5py
import numpy as np

__all__ = ["load", "Trace", "SCHEMA", "NEWEST_VERSION", "TABLES"]

SCHEMA = "qnncut-traces"
#: The newest schema_version this reader understands.
NEWEST_VERSION = 3
#: Every table a trace may hold, estimator tables first (training runs add the last three).
TABLES = ("queries", "batches", "ranks", "steps", "epochs", "robustness")


@dataclass
class Trace:
    """One traces.h5: its tables, each table's units and column descriptions, and its attributes."""

    path: str
    schema_version: int
    #: Root attributes (numbers as numbers: world_size is an int even in old files).
    attrs: Dict[str, Any]
    #: Table name -> pandas DataFrame or numpy record array, for the tables the file holds.
    tables: Dict[str, Any]
    #: Table name -> {column: units}; units are None for files written before schema 3.
    units: Dict[str, Dict[str, Optional[str]]]
    #: Table name -> {column: description} (empty before schema 3).
    descriptions: Dict[str, Dict[str, str]]
    #: Table name -> what one row is (empty before schema 3).
    table_descriptions: Dict[str, str]
    #: plans/<i> attributes, by i.
    plans: List[Dict[str, Any]]
    #: The training config as a dict (None for estimate traces, or old YAML without PyYAML).
    config: Optional[Dict[str, Any]] = None
    #: The config as stored (JSON since schema 3, flow-style YAML before).
    config_text: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays from h5py attributes as Python values."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _parse_config(text: Optional[str]) -> Optional[Dict[str, Any]]:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:  # schema 1-2: canonical flow-style YAML
        import yaml  # type: ignore
    except ImportError:
        return None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _want_pandas(pandas: Optional[bool]):
    if pandas is False:
        return None
    try:
        import pandas as pd  # type: ignore
    except ImportError:
        if pandas:
            raise
        return None
    return pd


def load(path: str, pandas: Optional[bool] = None) -> Trace:
    """Read the trace at `path`.

    pandas: True -> DataFrames (pandas required), False -> numpy record arrays, None -> DataFrames
    when pandas is installed.
    """
    pd = _want_pandas(pandas)
    size = os.path.getsize(path)
    with h5py.File(path, "r") as f:
        schema = _plain(f.attrs.get("schema"))
        if schema != SCHEMA:
            raise ValueError(f"{path}: schema {schema!r} is not {SCHEMA!r}; not a qnncut traces file")
        version = _plain(f.attrs.get("schema_version"))
        if not isinstance(version, int) or not 1 <= version <= NEWEST_VERSION:
            raise ValueError(f"{path}: schema_version {version!r} is not one this reader reads (1..{NEWEST_VERSION})")
        attrs = {key: _plain(value) for key, value in f.attrs.items()}
        if isinstance(attrs.get("world_size"), str) and attrs["world_size"].isdigit():
            attrs["world_size"] = int(attrs["world_size"])  # a string before schema 3
        tables, units, descriptions, table_descriptions = {}, {}, {}, {}
        for name in TABLES:
            if name not in f:
                continue
            dataset = f[name]
            if not isinstance(dataset, h5py.Dataset) or dataset.dtype.names is None or dataset.ndim != 1:
                raise ValueError(f"{path}: '{name}' is not a 1-D table")
            # Every stored row takes at least 8 bytes of the file (tables are not compressed).
            if dataset.shape[0] * 8 > size:
                raise ValueError(f"{path}: table '{name}' declares {dataset.shape[0]} rows, more than the file holds")
            rows = dataset[...]
            columns = list(dataset.dtype.names)
            stored_units = [_plain(u) for u in dataset.attrs["units"]] if "units" in dataset.attrs else [None] * len(columns)
            stored_descriptions = [_plain(d) for d in dataset.attrs["column_descriptions"]] \
                if "column_descriptions" in dataset.attrs else []
            if len(stored_units) != len(columns):
                raise ValueError(f"{path}: table '{name}' has {len(columns)} columns but {len(stored_units)} units")
            units[name] = dict(zip(columns, stored_units))
            descriptions[name] = dict(zip(columns, stored_descriptions))
            table_descriptions[name] = _plain(dataset.attrs.get("description", ""))
            if pd is not None:
                frame = pd.DataFrame(rows)
                frame.attrs["units"] = units[name]
                frame.attrs["descriptions"] = descriptions[name]
                tables[name] = frame
            else:
                tables[name] = rows.view(np.recarray)
        plans = []
        if "plans" in f:
            for key in sorted((k for k in f["plans"] if k.isdigit()), key=int):
                plans.append({k: _plain(v) for k, v in f["plans"][key].attrs.items()})
    config_text = attrs.get("config")
    return Trace(path=path, schema_version=version, attrs=attrs, tables=tables, units=units,
                 descriptions=descriptions, table_descriptions=table_descriptions, plans=plans,
                 config=_parse_config(config_text), config_text=config_text)
