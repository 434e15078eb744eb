#!/usr/bin/env bash
# nn_only_backends.sh SRC_ROOT — one network runner (issue 10): the inference
# back-ends (XNNPACK's xnn_*, oneDNN's dnnl_*, their headers) are called only
# in src/nn; the networks of src/vision describe themselves as layer lists
# (nn/layers.h) and run through nn/net.h. Prints every offending line and
# fails when there is one.
set -uo pipefail
root=${1:-${FACETAG_SRC:?give the source root}}
[ -d "$root/src/nn" ] || { echo "nn_only_backends: $root/src/nn is not a folder" >&2; exit 2; }
hits=$(cd "$root" && grep -rnE '\bxnn_[a-z]|\bdnnl_[a-z]|<xnnpack\.h>|<dnnl\.h>|<oneapi/dnnl' src \
       --include='*.c' --include='*.h' --include='*.cpp' | grep -v '^src/nn/')
if [ -n "$hits" ]; then
    echo "an inference back-end called outside src/nn (describe the network with nn/layers.h, run it with nn/net.h):"
    echo "$hits"
    echo "0 passed, 1 failed"
    exit 1
fi
n=$(cd "$root" && grep -rlE '\bxnn_[a-z]|\bdnnl_[a-z]' src/nn | wc -l)
echo "nn_only_backends: XNNPACK and oneDNN only in src/nn ($n files there call them)"
exit 0
