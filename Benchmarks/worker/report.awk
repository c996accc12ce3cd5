# Worker benchmark: prints the result rows (tab-separated: figure, measured, target, verdict)
# as an aligned Markdown table, ready to paste into Benchmarks/README.md.
BEGIN { FS = "\t"; n = 0; split("figure|measured|target|ok/MISSED", head, "|"); for (c = 1; c <= 4; c++) w[c] = length(head[c]) }
NF >= 4 { n++; for (c = 1; c <= 4; c++) { cell[n, c] = $c; if (length($c) > w[c]) w[c] = length($c) } }
function line(a, b, c, d) { printf "| %-*s | %*s | %-*s | %-*s |\n", w[1], a, w[2], b, w[3], c, w[4], d }
END {
    line(head[1], head[2], head[3], head[4])
    printf "|%s|%s:|%s|%s|\n", dashes(w[1] + 2), dashes(w[2] + 1), dashes(w[3] + 2), dashes(w[4] + 2)
    for (r = 1; r <= n; r++) line(cell[r, 1], cell[r, 2], cell[r, 3], cell[r, 4])
}
function dashes(k,   s) { s = ""; while (k-- > 0) s = s "-"; return s }
