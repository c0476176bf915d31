#!/usr/bin/env bash
# Trains each architecture x loss combination on the shipped MNIST subset and prints one line
# each: epochs, wall time, final D(x) and D(G(z)). Grids land in OUT/<arch>-<loss>.png.
#   scripts/train_combinations.sh [EPOCHS] [OUT]   (defaults: 30, out/combinations)
# maxout-dropout trains with the paper's recipe (models/paper-mnist/recipe.json).
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-30}
out=${2:-out/combinations}
gan=.build/release/gan
[[ -x $gan ]] || swift build -c release
mkdir -p "$out"
printf '%-16s %-15s %6s %8s %6s %8s\n' architecture loss epochs seconds 'D(x)' 'D(G(z))'
for arch in mlp mlp-batchnorm maxout-dropout; do
    for loss in non-saturating saturating; do
        name=$arch-$loss
        recipe=()
        [[ $arch == maxout-dropout ]] && recipe=(--recipe models/paper-mnist/recipe.json)
        start=$(date +%s.%N)
        "$gan" train "${recipe[@]}" --arch "$arch" --loss "$loss" --epochs "$epochs" \
            --out "$out/$name.h5" > "$out/$name.log"
        seconds=$(echo "$(date +%s.%N) - $start" | bc)
        "$gan" sample --weights "$out/$name.h5" --count 64 --seed 0 --out "$out/$name.png" > /dev/null
        last=$(grep '^epoch' "$out/$name.log" | tail -1)
        dx=$(sed -E 's/.*D\(x\) ([0-9.]+).*/\1/' <<< "$last")
        dgz=$(sed -E 's/.*D\(G\(z\)\) ([0-9.]+).*/\1/' <<< "$last")
        printf '%-16s %-15s %6s %8.1f %6s %8s\n' "$arch" "$loss" "$epochs" "$seconds" "$dx" "$dgz"
    done
done
