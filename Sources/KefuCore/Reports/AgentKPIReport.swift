import Foundation
import KefuPostgres

/// A reporting period `[from, to)`.
public struct ReportPeriod: Sendable, Equatable {
    public var from: Date
    public var to: Date

    public init(from: Date, to: Date) throws {
        guard from < to else { throw KefuError.invalidField("from", "must be before to") }
        guard to.timeIntervalSince(from) <= 400 * 86_400 else { throw KefuError.invalidField("to", "periods are at most 400 days") }
        self.from = from
        self.to = to
    }
}

/// One agent's KPIs over a period.
public struct AgentKPI: Codable, Sendable, Equatable {
    public var agentId: UUID
    public var name: String
    /// Tickets the agent owned that were created in the period.
    public var tickets: Int
    public var resolved: Int
    public var resolutionRate: Double?
    /// Resolved without a transfer or redispatch and never reopened.
    public var firstContactResolutionRate: Double?
    public var csatAverage: Double?
    /// Answered surveys per overall rating "1" … "5".
    public var csatDistribution: [String: Int]
    /// First responses within the priority target, per priority.
    public var onTimeFirstResponseRate: [String: Double]
    public var averageFirstResponseSeconds: Double?
    public var averageHandlingSeconds: Double?
    public var qaAverage: Double?
    public var reopenRate: Double?
    public var complaints: Int
    /// The composite used to pick the best agent (mean of CSAT/5, resolution rate, on-time rate, QA/100).
    public var score: Double?
}

/// KPIs for every active agent and the period's best agent.
public struct AgentKPIReport: Codable, Sendable {
    public var from: Date
    public var to: Date
    public var agents: [AgentKPI]
    public var bestAgentId: UUID?
}

/// Computes agent KPIs; response and handling times count on each ticket's clock calendar: its SLA
/// policy's (24x7 or business hours) over its channel's service hours.
public struct KPIService: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    public func agents(_ tenantID: UUID, period: ReportPeriod) async throws -> AgentKPIReport {
        try await database.transaction(tenantID, readOnly: true, source: .replicaIfFresh) { tx in
            // A month of a large tenant is ~100,000 rows read by index: JIT compiling the plan
            // (~0.5 s) costs far more than it saves.
            try await tx.execute("SET LOCAL jit = off")
            let profile = try await SettingsService.load(tx)
            let policies = try await tx.pipeline(SLAPolicyService.loadStatement(tx))
            let agents = try await tx.query(
                "SELECT id, name FROM agents WHERE tenant_id = \(tenantID) AND active AND role IN ('agent', 'supervisor') ORDER BY name"
            )
            let tickets = try await tx.query(
                """
                SELECT t.owner_id, t.priority, t.sla_segment, t.channel, t.created_at, t.first_response_at, t.first_response_due_at, t.resolved_at,
                       t.status, t.reopen_count,
                       (SELECT count(*) FROM ticket_assignments a WHERE a.tenant_id = t.tenant_id AND a.ticket_id = t.id AND a.kind <> 'initial') AS handoffs
                FROM tickets t
                WHERE t.tenant_id = \(tenantID) AND t.owner_id IS NOT NULL AND t.created_at >= \(period.from) AND t.created_at < \(period.to)
                """
            )
            let ratings = try await tx.query(
                """
                SELECT t.owner_id, s.overall FROM surveys s JOIN tickets t ON t.tenant_id = s.tenant_id AND t.id = s.ticket_id
                WHERE s.tenant_id = \(tenantID) AND s.answered_at >= \(period.from) AND s.answered_at < \(period.to) AND t.owner_id IS NOT NULL
                """
            )
            let qa = try await tx.query(
                """
                SELECT agent_id, avg(score)::float8 AS average FROM qa_reviews
                WHERE tenant_id = \(tenantID) AND created_at >= \(period.from) AND created_at < \(period.to) GROUP BY agent_id
                """
            )
            let complaints = try await tx.query(
                """
                SELECT agent_id, count(*) AS complaints FROM agent_complaints
                WHERE tenant_id = \(tenantID) AND created_at >= \(period.from) AND created_at < \(period.to) GROUP BY agent_id
                """
            )
            var qaByAgent: [UUID: Double] = [:]
            for row in qa { qaByAgent[try row.decode(UUID.self, "agent_id")] = try row.decode(Double.self, "average") }
            var complaintsByAgent: [UUID: Int] = [:]
            for row in complaints { complaintsByAgent[try row.decode(UUID.self, "agent_id")] = try row.decode(Int.self, "complaints") }
            var ratingsByAgent: [UUID: [Int]] = [:]
            for row in ratings { ratingsByAgent[try row.decode(UUID.self, "owner_id"), default: []].append(try row.decode(Int.self, "overall")) }
            var ticketsByAgent: [UUID: [PostgresRow]] = [:]
            for row in tickets { ticketsByAgent[try row.decode(UUID.self, "owner_id"), default: []].append(row) }

            var result: [AgentKPI] = []
            for agent in agents {
                let id = try agent.decode(UUID.self, "id")
                let own = ticketsByAgent[id] ?? []
                // The ticket's clocks' calendar: its policy's (24x7 or business hours) over its channel's.
                func calendar(_ row: PostgresRow) throws -> BusinessCalendar {
                    let channel = profile.settings.calendar(timezone: profile.timezone, channel: try row.decode(String.self, "channel"))
                    let priority = TicketPriority(rawValue: try row.decode(String.self, "priority")) ?? .p3
                    let segment = try row.decode(String?.self, "sla_segment").flatMap(CustomerSegment.init(rawValue:))
                    return policies.policy(for: priority, segment: segment).clockCalendar(over: channel)
                }
                var resolved = 0
                var firstContact = 0
                var reopened = 0
                var responseTimes: [Double] = []
                var handlingTimes: [Double] = []
                var onTime: [String: (Int, Int)] = [:]
                for row in own {
                    let created = try row.decode(Date.self, "created_at")
                    if let responded = try row.decode(Date?.self, "first_response_at") {
                        responseTimes.append(try calendar(row).businessSeconds(from: created, to: responded))
                        let priority = try row.decode(String.self, "priority")
                        let due = try row.decode(Date?.self, "first_response_due_at")
                        let counts = onTime[priority] ?? (0, 0)
                        onTime[priority] = (counts.0 + (due.map { responded <= $0 } ?? true ? 1 : 0), counts.1 + 1)
                    }
                    if let resolvedAt = try row.decode(Date?.self, "resolved_at") {
                        resolved += 1
                        handlingTimes.append(try calendar(row).businessSeconds(from: created, to: resolvedAt))
                        if try row.decode(Int.self, "handoffs") == 0 && row.decode(Int.self, "reopen_count") == 0 { firstContact += 1 }
                    }
                    if try row.decode(Int.self, "reopen_count") > 0 { reopened += 1 }
                }
                let agentRatings = ratingsByAgent[id] ?? []
                var distribution: [String: Int] = [:]
                for value in 1...5 { distribution[String(value)] = agentRatings.filter { $0 == value }.count }
                func ratio(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
                func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
                let csat = mean(agentRatings.map(Double.init))
                let onTimeTotal = onTime.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
                let components = [
                    csat.map { $0 / 5 }, ratio(resolved, own.count), ratio(onTimeTotal.0, onTimeTotal.1), qaByAgent[id].map { $0 / 100 },
                ]
                .compactMap { $0 }
                result.append(
                    AgentKPI(
                        agentId: id,
                        name: try agent.decode(String.self, "name"),
                        tickets: own.count,
                        resolved: resolved,
                        resolutionRate: ratio(resolved, own.count),
                        firstContactResolutionRate: ratio(firstContact, resolved),
                        csatAverage: csat,
                        csatDistribution: distribution,
                        onTimeFirstResponseRate: onTime.mapValues { Double($0.0) / Double($0.1) },
                        averageFirstResponseSeconds: mean(responseTimes),
                        averageHandlingSeconds: mean(handlingTimes),
                        qaAverage: qaByAgent[id],
                        reopenRate: ratio(reopened, resolved),
                        complaints: complaintsByAgent[id] ?? 0,
                        score: resolved > 0 ? mean(components) : nil
                    )
                )
            }
            let best = result.filter { $0.score != nil }
                .max { ($0.score ?? 0, $0.resolved) < ($1.score ?? 0, $1.resolved) }
            return AgentKPIReport(from: period.from, to: period.to, agents: result, bestAgentId: best?.agentId)
        }
    }
}
