import ArgumentParser

/// `--json`: output for scripts instead of the table for people.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON.") var json = false
}

/// `--tenant SLUG`: the one tenant a command acts on.
struct TenantOption: ParsableArguments {
    @Option(help: "The tenant's slug.") var tenant: String
}
