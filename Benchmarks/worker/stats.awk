# Worker benchmark: summary of numbers read one per line (already sorted ascending: sort -n).
# Prints "n min p50 p99 max mean" with nearest-rank percentiles, 3 decimals.
{ v[NR] = $1; sum += $1 }
function rank(p,   r) { r = int(p * NR); if (r < p * NR) r++; if (r < 1) r = 1; return v[r] }
END {
    if (NR == 0) { print "0 - - - - -"; exit }
    printf "%d %.3f %.3f %.3f %.3f %.3f\n", NR, v[1], rank(0.50), rank(0.99), v[NR], sum / NR
}
