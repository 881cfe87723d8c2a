#!/usr/bin/python3
# validate-json.py - checks graph snapshot and trace JSON against docs/trace-schema.json
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage:
#   validate-json.py --schema docs/trace-schema.json FILE.json...
#   validate-json.py --schema docs/trace-schema.json --dump build/tests/engine/dump-graph OUTDIR
#
# With --dump, runs the program to write sample documents into OUTDIR and
# checks every *.json (and *.dot) it wrote.  Beyond the JSON Schema it checks
# what a schema cannot say: ids are unique, edges and events name existing
# nodes, values hold numel numbers, events are numbered in order.  It also
# makes sure the schema rejects broken documents.  Exits 77 (meson's "skip")
# when Debian's python3-jsonschema is not installed.

import argparse
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: the Python module jsonschema is not importable; "
          "install Debian's python3-jsonschema (apt-get install python3-jsonschema)")
    sys.exit(77)


def reject_constant(name):
    raise ValueError(f"bare {name} is not JSON (NaN and infinities must be strings)")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=reject_constant)


def check_value(value, where, errors):
    if value is None:
        return
    if "values" in value and len(value["values"]) != value["numel"]:
        errors.append(f"{where}: {len(value['values'])} values for numel {value['numel']}")
    numel = 1
    for size in value["shape"]:
        numel *= size
    if numel != value["numel"]:
        errors.append(f"{where}: shape {value['shape']} does not have numel {value['numel']}")


def check_graph(doc, where, errors):
    nodes = {}
    for node in doc["nodes"]:
        if node["id"] in nodes:
            errors.append(f"{where}: duplicate node id {node['id']}")
        nodes[node["id"]] = node
    truncated = doc["summary"]["truncated"]
    if doc["summary"]["shown_nodes"] != len(doc["nodes"]):
        errors.append(f"{where}: shown_nodes {doc['summary']['shown_nodes']} != {len(doc['nodes'])} nodes")
    if not truncated and doc["summary"]["total_nodes"] != len(doc["nodes"]):
        errors.append(f"{where}: a complete snapshot must show all {doc['summary']['total_nodes']} nodes")
    if not truncated and doc["summary"]["edges"] != len(doc["edges"]):
        errors.append(f"{where}: a complete snapshot must show all {doc['summary']['edges']} edges")
    for root in doc["roots"]:
        if root not in nodes or nodes[root]["kind"] != "tensor" or not nodes[root]["root"]:
            errors.append(f"{where}: root {root} is not a root tensor node")
    for i, edge in enumerate(doc["edges"]):
        for end in ("from", "to"):
            if edge[end] not in nodes:
                errors.append(f"{where}: edge {i} {end} unknown node {edge[end]}")
    for node in doc["nodes"]:
        nwhere = f"{where}: node {node['id']}"
        refs = [node.get(k) for k in ("variable", "grad_fn_id", "accumulator", "consumer")]
        for ref in refs:
            if ref is not None and ref not in nodes:
                errors.append(f"{nwhere}: refers to unknown node {ref}")
        for key in ("value", "grad"):
            check_value(node.get(key), f"{nwhere} {key}", errors)
        for i, out in enumerate(node.get("outputs", [])):
            check_value(out, f"{nwhere} output {i}", errors)
        if node["kind"] == "op" and (node["sequence_nr"] is None) != (node["op"] == "AccumulateGrad"):
            errors.append(f"{nwhere}: only AccumulateGrad has a null sequence_nr")
    previous = -1
    for node_id in doc["forward"]:
        node = nodes.get(node_id)
        if node is None or node["kind"] != "op":
            errors.append(f"{where}: forward step {node_id} is not an op node")
            continue
        if node["sequence_nr"] <= previous:
            errors.append(f"{where}: forward replay out of creation order at {node_id}")
        previous = node["sequence_nr"]
    return nodes


def check_trace(doc, where, errors):
    nodes = check_graph(doc["graph"], where + " graph", errors)
    truncated = doc["graph"]["summary"]["truncated"]
    backward = doc["backward"]
    seen_backward = False
    step = 0
    n_backward = 0
    for i, event in enumerate(doc["events"]):
        ewhere = f"{where}: event {i}"
        if event["index"] != i:
            errors.append(f"{ewhere}: index {event['index']}")
        if event["node"] not in nodes and not truncated:
            errors.append(f"{ewhere}: unknown node {event['node']}")
        if event["kind"] == "forward":
            if seen_backward:
                errors.append(f"{ewhere}: forward event after backward ones")
            for out in event["outputs"]:
                check_value(out, ewhere, errors)
            continue
        seen_backward = True
        n_backward += 1
        if event["step"] != step:
            errors.append(f"{ewhere}: step {event['step']}, expected {step}")
        step += 1
        for value in event["incoming"]:
            check_value(value, ewhere, errors)
        for flow in event["flows"]:
            for key in ("grad", "local", "contribution"):
                check_value(flow[key], f"{ewhere} flow {key}", errors)
            if flow["contribution"] is not None and flow["local"] is None:
                errors.append(f"{ewhere}: a contribution without a local factor")
    if n_backward != backward["recorded"]:
        errors.append(f"{where}: {n_backward} backward events, recorded says {backward['recorded']}")
    if backward["truncated"] != (backward["recorded"] < backward["steps"]):
        errors.append(f"{where}: backward.truncated disagrees with steps/recorded")
    if backward["captured"] and not backward["autograd_grad"]:
        errors.append(f"{where}: captured gradients outside autograd.grad")


def check_dot(path, errors):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    dot = shutil.which("dot")
    if dot is not None:
        # Graphviz, where installed, must parse it
        result = subprocess.run([dot, "-Tsvg", "-o", os.devnull, path], capture_output=True, text=True)
        if result.returncode != 0 or result.stderr.strip():
            errors.append(f"{path}: dot says: {result.stderr.strip()}")
    if not text.startswith("digraph gradlab {\n") or not text.rstrip().endswith("}"):
        errors.append(f"{path}: not a digraph")
        return
    declared = set(re.findall(r'^  "([^"]+)" \[label=', text, re.M))
    for a, b in re.findall(r'^  "([^"]+)" -> "([^"]+)"', text, re.M):
        for end in (a, b):
            if end not in declared:
                errors.append(f"{path}: edge to undeclared node {end}")


def check_schema_rejects(validator, graph, trace, errors):
    """The schema must not be vacuous: broken documents fail."""
    broken = []
    doc = copy.deepcopy(graph)
    doc["schema"] = "gradlab.graph/2"
    broken.append(("wrong schema version", doc))
    doc = copy.deepcopy(graph)
    del doc["nodes"][0]["id"]
    broken.append(("node without id", doc))
    doc = copy.deepcopy(graph)
    doc["nodes"][0]["value"]["values"] = ["NaN"]
    broken.append(("NaN spelled otherwise", doc))
    doc = copy.deepcopy(graph)
    doc["nodes"][0]["value"]["summary"] = {"min": None, "max": None, "mean": None, "std": None,
                                            "nan": 0, "inf": 0, "first": [], "last": []}
    broken.append(("both values and a summary", doc))
    doc = copy.deepcopy(graph)
    doc["edges"].append({"kind": "sideways", "from": "t0", "to": "t0", "output_nr": 0, "input_nr": 0,
                         "shape": None, "dtype": None})
    broken.append(("unknown edge kind", doc))
    if trace is not None:
        doc = copy.deepcopy(trace)
        doc["events"].append({"kind": "backward", "index": 0})
        broken.append(("incomplete event", doc))
    for what, doc in broken:
        if validator.is_valid(doc):
            errors.append(f"the schema accepts a broken document ({what})")
    try:
        json.loads('{"values": [NaN]}', parse_constant=reject_constant)
        errors.append("bare NaN was accepted as JSON")
    except ValueError:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--dump", nargs=2, metavar=("PROGRAM", "OUTDIR"))
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()

    schema = load(args.schema)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    files = list(args.files)
    dots = []
    if args.dump:
        program, outdir = args.dump
        os.makedirs(outdir, exist_ok=True)
        for old in glob.glob(os.path.join(outdir, "*")):
            os.remove(old)
        subprocess.run([program, outdir], check=True, stdout=subprocess.DEVNULL)
        files += sorted(glob.glob(os.path.join(outdir, "*.json")))
        dots = sorted(glob.glob(os.path.join(outdir, "*.dot")))
    if not files:
        print("no documents to check", file=sys.stderr)
        return 2

    errors = []
    sample_graph = sample_trace = None
    for path in files:
        try:
            doc = load(path)
        except ValueError as e:
            errors.append(f"{path}: {e}")
            continue
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            errors.append(f"{path}: {'/'.join(map(str, error.path))}: {error.message[:300]}")
        kind = doc.get("schema") if isinstance(doc, dict) else None
        try:
            if kind == "gradlab.graph/1":
                check_graph(doc, path, errors)
                sample_graph = sample_graph or doc
            elif kind == "gradlab.trace/1":
                check_trace(doc, path, errors)
                sample_trace = sample_trace or doc
        except (KeyError, TypeError) as e:
            errors.append(f"{path}: malformed ({e!r})")
        print(f"checked {path}")
    for path in dots:
        check_dot(path, errors)
        print(f"checked {path}")
    if sample_graph is not None:
        check_schema_rejects(validator, sample_graph, sample_trace, errors)

    for error in errors:
        print("FAIL:", error)
    print(f"{len(files)} JSON documents, {len(dots)} DOT files, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
