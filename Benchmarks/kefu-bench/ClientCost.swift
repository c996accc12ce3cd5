import Foundation

/// What a side cost on the client machine: CPU time and context switches, from `getrusage`
/// (the KefuPostgres side is this process) or `wait4` (pgbench, the child).
///
/// On a small machine the client shares cores with the server, so client CPU per row is
/// throughput taken from the server; voluntary context switches count thread hand-offs.
struct ClientCost: Encodable, Sendable {
    var cpuSeconds: Double
    var voluntaryContextSwitches: Int
    var involuntaryContextSwitches: Int

    init(cpuSeconds: Double, voluntaryContextSwitches: Int, involuntaryContextSwitches: Int) {
        self.cpuSeconds = cpuSeconds
        self.voluntaryContextSwitches = voluntaryContextSwitches
        self.involuntaryContextSwitches = involuntaryContextSwitches
    }

    init(_ usage: rusage) {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        self.init(
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            voluntaryContextSwitches: Int(usage.ru_nvcsw),
            involuntaryContextSwitches: Int(usage.ru_nivcsw)
        )
    }

    /// This process so far (all threads).
    static func currentProcess() -> ClientCost {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)  // an enum in Glibc's headers
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return ClientCost(usage)
    }

    static func - (lhs: ClientCost, rhs: ClientCost) -> ClientCost {
        ClientCost(
            cpuSeconds: lhs.cpuSeconds - rhs.cpuSeconds,
            voluntaryContextSwitches: lhs.voluntaryContextSwitches - rhs.voluntaryContextSwitches,
            involuntaryContextSwitches: lhs.involuntaryContextSwitches - rhs.involuntaryContextSwitches
        )
    }
}
