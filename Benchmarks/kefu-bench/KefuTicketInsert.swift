import Foundation
import KefuPostgres

/// The KefuPostgres side's statement: a fresh ticket with every value bound as a parameter,
/// the way a service in KefuCore writes one (`TicketIntakeService` also makes the id with `UUID()`).
enum KefuTicketInsert {
    /// Tenant UUIDs, parsed once.
    private static let tenants: [UUID] = (1...TicketShape.tenantCount).compactMap { UUID(uuidString: TicketShape.tenantID($0)) }

    /// One INSERT of a random ticket (new `id`, random tenant, number, channel, priority, status).
    static func randomQuery(using random: inout some RandomNumberGenerator) -> PostgresQuery {
        func pick<Value>(_ values: [Value]) -> Value { values[Int.random(in: values.indices, using: &random)] }
        let number = Int.random(in: 1...TicketShape.maxNumber, using: &random)
        return """
            INSERT INTO \(unescaped: TicketShape.table) (\(unescaped: TicketShape.columns))
            VALUES (\(pick(tenants)), \(UUID()), \(number), \(pick(TicketShape.channels)),
                    \(pick(TicketShape.priorities)), \(pick(TicketShape.statuses)),
                    \(TicketShape.subject(number: number)), \(TicketShape.description), \(Date()))
            """
    }
}
