# cpu-line.sh — sourced by the bench scripts: cpu_line prints the CPU model,
# the core count and the flags that pick facetag's kernels (issue 17 asks for
# them beside every figure).
cpu_line() {
  local model flags f
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  flags=""
  for f in avx2 fma avx512f avx512_vnni avx512_bf16 amx_tile; do
    grep -qw "$f" /proc/cpuinfo && flags="$flags $f"
  done
  echo "CPU: $model, $(nproc) core(s); flags:${flags:- none of avx2 fma avx512f avx512_vnni avx512_bf16 amx_tile}"
}
