#!/usr/bin/env bash
# Checks that every source file includes only what its layer may see (run by ctest as
# `layers`): a library layer includes its own headers, the public headers of its layer and the
# layers below it, and the internal headers of the layers below it; programs (src/cli) include
# only public headers and their own. The layers, lowest first:
#   util <- text <- detect, model, bank <- engine <- io <- cli, and util <- audit <- store <- cli;
#   io, store <- server <- cli; server <- worker <- cli
set -euo pipefail
cd "$(dirname "$0")/.."

# Which layers each layer may include (itself included).
declare -A below=(
    [util]="util"
    [text]="text util"
    [detect]="detect text util"
    [model]="model text util"
    [bank]="bank text util"
    [engine]="engine detect model bank text util"
    [io]="io engine detect model bank text util"
    [audit]="audit util"
    [store]="store audit util"
    [server]="server io engine detect model bank text store audit util"
    [worker]="worker server io engine detect model bank text store audit util"
)
# The layer of each public header (include/sangloc/NAME.h).
declare -A public=(
    [status]=util [hit]=util [buf]=util [text]=text [detect]=detect [matcher]=detect [model]=model
    [metrics]=model [pretrain]=model [bank]=bank [policy]=engine [engine]=engine [reload]=engine
    [record]=io [batch]=io [store]=store [server]=server
    [audit]=audit [worker]=worker
)

bad=0
complain() { echo "layers: $1: includes \"$2\" ($3)" >&2; bad=1; }

for file in src/*/*.c src/*/*.h; do
    layer=${file#src/}
    layer=${layer%%/*}
    while IFS= read -r inc; do
        dir=${inc%%/*}
        if [ "$dir" = "$inc" ]; then continue; fi # a local header of the same folder
        if [ "$dir" = sangloc ]; then
            name=${inc#sangloc/}
            name=${name%.h}
            owner=${public[$name]:-}
            if [ -z "$owner" ]; then complain "$file" "$inc" "public header of no known layer"; continue; fi
        else
            owner=$dir
        fi
        if [ "$layer" = cli ]; then
            [ "$dir" = sangloc ] || [ "$dir" = cli ] ||
                complain "$file" "$inc" "programs use only public headers"
            continue
        fi
        allowed=${below[$layer]:-}
        if [ -z "$allowed" ]; then continue; fi # src/empty.c and the like
        case " $allowed " in
            *" $owner "*) ;;
            *) complain "$file" "$inc" "layer $layer may not see layer $owner" ;;
        esac
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
