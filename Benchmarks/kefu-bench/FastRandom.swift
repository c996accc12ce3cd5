/// A small, fast pseudo-random generator (SplitMix64) for choosing row values.
///
/// The system generator asks the kernel for every number (`getrandom`), which would bill the
/// KefuPostgres side for five system calls per row that pgbench, with its own in-process
/// generator for `\set … random()`, does not make. Ticket ids still come from `UUID()`, as in
/// `TicketIntakeService`.
struct FastRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Seeded from the system generator, so every task draws a different sequence.
    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
