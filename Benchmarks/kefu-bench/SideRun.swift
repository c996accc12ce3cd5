/// One measured run of one side at one client count.
struct SideRun: Encodable, Sendable {
    /// Rows inserted (committed) during the run.
    var rows: Int
    /// The measured duration, connection set-up excluded.
    var seconds: Double
    var rowsPerSecond: Double
    /// The client's own CPU time and context switches during the run.
    var clientCost: ClientCost
    /// Client CPU microseconds per inserted row.
    var clientCPUMicrosecondsPerRow: Double
    /// Client voluntary context switches per inserted row.
    var clientContextSwitchesPerRow: Double

    private init(rows: Int, seconds: Double, rowsPerSecond: Double, clientCost: ClientCost) {
        self.rows = rows
        self.seconds = seconds
        self.rowsPerSecond = rowsPerSecond
        self.clientCost = clientCost
        let perRow = rows > 0 ? 1 / Double(rows) : 0
        clientCPUMicrosecondsPerRow = clientCost.cpuSeconds * 1e6 * perRow
        clientContextSwitchesPerRow = Double(clientCost.voluntaryContextSwitches) * perRow
    }

    /// For a side timed here.
    init(rows: Int, seconds: Double, clientCost: ClientCost) {
        self.init(rows: rows, seconds: seconds, rowsPerSecond: seconds > 0 ? Double(rows) / seconds : 0, clientCost: clientCost)
    }

    /// For a side that reports a rate rather than a duration (pgbench's `tps`).
    init(rows: Int, rowsPerSecond: Double, clientCost: ClientCost) {
        self.init(
            rows: rows,
            seconds: rowsPerSecond > 0 ? Double(rows) / rowsPerSecond : 0,
            rowsPerSecond: rowsPerSecond,
            clientCost: clientCost
        )
    }
}
