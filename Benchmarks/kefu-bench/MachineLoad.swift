import Foundation

/// How busy the machine was just before the run: other work competes with both sides and with
/// the server, and hurts the side with more thread hand-offs more. Linux only (`/proc`); nil elsewhere.
struct MachineLoad: Encodable, Sendable {
    /// The share of all cores that was busy over the sampled second.
    var cpuBusy: Double
    /// The 1-minute load average (it lags: a build that just ended still shows).
    var loadAverage: Double

    /// Busy enough that the figures say little about an idle machine.
    var isBusy: Bool { cpuBusy >= 0.25 }

    /// Samples `/proc/stat` over `interval`.
    static func sample(over interval: Duration = .seconds(1)) async -> MachineLoad? {
        guard let before = cpuTimes() else { return nil }
        try? await Task.sleep(for: interval)
        guard let after = cpuTimes(),
            let loadText = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let loadAverage = loadText.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        let total = after.total - before.total
        let idle = after.idle - before.idle
        return MachineLoad(cpuBusy: total > 0 ? 1 - Double(idle) / Double(total) : 0, loadAverage: loadAverage)
    }

    /// Jiffies since boot over all cores: total, and idle plus waiting for I/O.
    private static func cpuTimes() -> (total: Int, idle: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard fields.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        return (fields.prefix(8).reduce(0, +), fields[3] + fields[4])
    }
}
