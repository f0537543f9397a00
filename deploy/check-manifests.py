#!/usr/bin/env python3
"""Checks the deployment recipes: schemas, and that each recipe actually wires the sidecar up.

Kubernetes resources are validated strictly (unknown fields are errors) against the OpenAPI
schemas that kubernetes-validate ships for the given Kubernetes release; a FlinkDeployment
against schema/flinkdeployment-v1beta1.json (the CRD's fields the recipes use), its pod templates
as core/v1 Pods. Then the wiring: the TaskManager's -Xlog file lies in a volume that the sidecar
mounts at its --dir, the volume is an emptyDir, and the log's file name matches --pattern.

usage: check-manifests.py KUBERNETES_VERSION FILE.yaml...
"""
import fnmatch
import json
import os
import re
import sys

import jsonschema
import kubernetes_validate
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
XLOG_FILE = re.compile(r"-Xlog:[^\s]*?:file=([^:\s]+)")


def sidecar_args(container):
    args = {}
    for arg in container.get("args", []):
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
            args[key] = value
    return args


def check_wiring(where, pod_spec, java_opts):
    """The TaskManager writes its GC log where the sidecar reads it."""
    problems = []
    containers = pod_spec.get("containers", [])
    sidecars = [c for c in containers if c.get("name") == "rightsize-sidecar"]
    if len(sidecars) != 1:
        return [f"{where}: expected one container named rightsize-sidecar, found {len(sidecars)}"]
    sidecar = sidecars[0]
    args = sidecar_args(sidecar)
    log_dir = args.get("dir")
    pattern = args.get("pattern", "gc*.log*")
    if not log_dir:
        return [f"{where}: the sidecar has no --dir=... argument"]
    match = XLOG_FILE.search(java_opts or "")
    if not match:
        return [f"{where}: the TaskManager's JVM options have no -Xlog:...:file=... (no GC log to follow)"]
    log_file = match.group(1)
    if os.path.dirname(log_file) != log_dir.rstrip("/"):
        problems.append(f"{where}: the GC log {log_file} is not in the sidecar's --dir {log_dir}")
    if not fnmatch.fnmatchcase(os.path.basename(log_file), pattern):
        problems.append(f"{where}: the GC log's name {os.path.basename(log_file)} does not match --pattern {pattern}")
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}

    def volume_at(container, path):
        for mount in container.get("volumeMounts", []):
            if mount.get("mountPath", "").rstrip("/") == path.rstrip("/"):
                return mount["name"]
        return None

    sidecar_volume = volume_at(sidecar, log_dir)
    if sidecar_volume is None:
        problems.append(f"{where}: the sidecar mounts no volume at --dir {log_dir}")
    elif "emptyDir" not in volumes.get(sidecar_volume, {}):
        problems.append(f"{where}: volume {sidecar_volume} is not an emptyDir")
    flink = [c for c in containers if c is not sidecar]
    if not any(volume_at(c, log_dir) == sidecar_volume for c in flink):
        problems.append(f"{where}: no Flink container mounts volume {sidecar_volume} at {log_dir}")
    return problems


def flink_properties(docs, container):
    """env.java.opts.taskmanager as a container gets it through FLINK_PROPERTIES (ConfigMap or env)."""
    text = ""
    for env in container.get("env", []):
        if env.get("name") == "FLINK_PROPERTIES":
            text += env.get("value", "")
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        for doc in docs:
            if doc.get("kind") == "ConfigMap" and doc["metadata"]["name"] == name:
                text += doc.get("data", {}).get("FLINK_PROPERTIES", "")
    for line in text.splitlines():
        if line.strip().startswith("env.java.opts.taskmanager:"):
            return line.split(":", 1)[1].strip()
    return None


def check_file(version, path, flink_schema):
    problems = []
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for doc in docs:
        where = f"{os.path.relpath(path)}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
        if doc.get("kind") == "FlinkDeployment":
            for error in jsonschema.Draft202012Validator(flink_schema).iter_errors(doc):
                problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
            spec = doc.get("spec", {})
            templates = [("spec.podTemplate", spec.get("podTemplate"))] + [
                (f"spec.{role}.podTemplate", spec.get(role, {}).get("podTemplate")) for role in ("jobManager", "taskManager")
            ]
            for field, template in templates:
                if template is None:
                    continue
                try:
                    kubernetes_validate.validate(template, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    problems.append(f"{where} {field}: {'/'.join(map(str, error.path))}: {error.message}")
            template = spec.get("taskManager", {}).get("podTemplate")
            if template is None:
                problems.append(f"{where}: no spec.taskManager.podTemplate carrying the sidecar")
            else:
                java_opts = spec.get("flinkConfiguration", {}).get("env.java.opts.taskmanager")
                problems += check_wiring(where, template.get("spec", {}), java_opts)
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{where}: {'/'.join(map(str, error.path))}: {error.message}")
        if doc.get("kind") in ("Deployment", "StatefulSet"):
            pod_spec = doc["spec"]["template"]["spec"]
            tm = [c for c in pod_spec.get("containers", []) if c.get("name") != "rightsize-sidecar"]
            java_opts = next((o for o in (flink_properties(docs, c) for c in tm) if o), None)
            problems += check_wiring(where, pod_spec, java_opts)
    return len(docs), problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    version = sys.argv[1]
    with open(os.path.join(HERE, "schema", "flinkdeployment-v1beta1.json")) as f:
        flink_schema = json.load(f)
    failed = False
    for path in sys.argv[2:]:
        count, problems = check_file(version, path, flink_schema)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        failed |= bool(problems)
        print(f"{os.path.relpath(path)}: {count} resource(s), {'INVALID' if problems else 'valid'} for Kubernetes {version}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
