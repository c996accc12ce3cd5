# Worker benchmark, diagnostics: counts the statements a worker sent (server log with
# log_statement = all for kefu_app) by kind; -v actions=N divides by the actions performed.
# Every statement is one round trip (no pipelining): BEGIN+SET LOCAL travel together.
match($0, /LOG:  (statement|execute [^:]*): /) {
    text = substr($0, RSTART + RLENGTH)
    gsub(/'[^']*'/, "'…'", text)
    gsub(/[ \t]+/, " ", text)
    key = substr(text, 1, 64)
    count[key]++
    total++
}
END {
    if (actions == 0) actions = 1
    for (k in count) printf "%7.2f  %s\n", count[k] / actions, k | "sort -rn"
    close("sort -rn")
    printf "per action: %.2f statements = round trips (%d statements, %d actions)\n", total / actions, total, actions
}
