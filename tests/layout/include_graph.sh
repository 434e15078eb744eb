#!/usr/bin/env bash
# include_graph.sh SRC_ROOT [LAYERS] — every #include "folder/..." in src/
# must name the file's own folder or one it may use, as CMakeLists.txt declares
# (facetag_library ... DEPS; the build writes the closed graph to
# build/layers.txt). The build already fails on such an include (each library
# sees only its own include folder); this names every offending line at once,
# also in headers no file of the folder includes, and checks that every folder
# of src/ is declared (src/cli, the top, may include everything).
set -uo pipefail
root=${1:?give the source root}
layers=${2:-$root/build/layers.txt}
[ -f "$layers" ] || { echo "include_graph: $layers missing (configure with cmake first)" >&2; exit 2; }
declare -A allowed
while IFS= read -r line; do
    case "$line" in '#'*|'') continue ;; esac
    allowed[${line%%:*}]=" ${line#*:} "
done <"$layers"
bad=0
for dir in "$root"/src/*/; do
    folder=$(basename "$dir")
    [ "$folder" = cli ] && continue
    if [ -z "${allowed[$folder]+x}" ]; then
        echo "src/$folder is not declared as a library in CMakeLists.txt (facetag_library)"
        bad=$((bad + 1))
        continue
    fi
    while IFS=: read -r file lineno text; do
        target=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z0-9_]*\)\/.*/\1/p' <<<"$text")
        [ -n "$target" ] || continue
        case "${allowed[$folder]}" in *" $target "*) ;; *)
            echo "${file#$root/}:$lineno: $folder may not include $target (${text#*#}); declared: ${allowed[$folder]}"
            bad=$((bad + 1)) ;;
        esac
    done < <(grep -nH '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"*.c "$dir"*.h "$dir"*.cpp 2>/dev/null)
done
if [ "$bad" -gt 0 ]; then
    echo "0 passed, 1 failed ($bad includes against the declared graph)"
    exit 1
fi
echo "include_graph: every include of src/ follows the declared graph ($(grep -vc '^#' "$layers") libraries)"
