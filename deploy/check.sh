#!/usr/bin/env bash
# Validates the deployment recipes (deploy/kubernetes, deploy/flink-operator) against the
# Kubernetes schemas and the FlinkDeployment CRD's fields, and checks that each recipe wires the
# TaskManager's GC log to the sidecar. kubernetes-validate (PyPI) is installed once into the
# per-user cache.
#
#   deploy/check.sh                 against Kubernetes 1.31 (RIGHTSIZE_K8S_VERSION to change)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

KUBERNETES_VALIDATE_VERSION=1.37.0
venv="$RIGHTSIZE_CACHE/python/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
if ! "$venv/bin/python" -c 'import kubernetes_validate, jsonschema, yaml' 2>/dev/null; then
    step "Installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi
"$venv/bin/python" deploy/check-manifests.py "${RIGHTSIZE_K8S_VERSION:-1.31}" deploy/kubernetes/*.yaml deploy/flink-operator/*.yaml
