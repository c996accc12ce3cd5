import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu surge …`: operators watch and rehearse surge mode.
struct SurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "Show surge mode and rates, or rehearse a surge.",
        subcommands: [Status.self, Simulate.self, Limits.self]
    )

    /// The limits the surge functions take: what an operator passes to run them by hand
    /// (`SELECT * FROM kefu_surge_readings(now() - interval '2 hours', now(), '<this>')`).
    struct Limits: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the surge settings' defaults and ranges as the database's surge functions take them (JSON)."
        )

        func run() { Console.write(SettingLimits.document) }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Surge mode and live/normal rates per channel, per tenant.")
        @Option(help: "Only this tenant.") var tenant: String?
        @OptionGroup var output: OutputOptions

        struct Entry: Encodable {
            var tenant: String
            var status: SurgeStatus
        }

        func run() async throws {
            let entries = try await CommandContext.make().withOwnerPool { pool in
                let admin = TenantAdminService(ownerPool: pool)
                let tenants: [Tenant]
                if let tenant { tenants = [try await admin.find(slug: tenant)] } else { tenants = try await admin.list() }
                let surge = SurgeService(database: TenantDatabase(pool: pool), clock: SystemClock())
                var entries: [Entry] = []
                for tenant in tenants { entries.append(Entry(tenant: tenant.slug, status: try await surge.status(tenant.id))) }
                return entries
            }
            if output.json { return try printJSON(entries) }
            printTable(
                ["TENANT", "MODE", "CHANNEL", "LIVE", "NORMAL", "RATIO", "BASELINE"],
                entries.flatMap { entry in
                    entry.status.rates.map { rate in
                        [
                            entry.tenant, entry.status.active ? "SURGE" : "normal", rate.channel, String(rate.live),
                            String(format: "%.1f", rate.normal), String(format: "%.2f", rate.ratio), rate.baseline,
                        ]
                    }
                }
            )
        }
    }

    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rehearse: feed synthetic tickets through the real intake path, RATE per minute over the last MINUTES minutes.",
            discussion:
                "The tickets are real (marked '[surge rehearsal]') and time-stamped across the window, so the worker sees the surge on its next sweep."
        )
        @OptionGroup var scope: TenantOption
        @Option(help: "Tickets per minute.") var rate: Int
        @Option(help: "Minutes of intake, ending now.") var minutes: Int
        @Option(help: "Channel of the synthetic tickets.") var channel = "chat"

        func run() async throws {
            guard (1...1000).contains(rate) else { throw ValidationError("--rate must be between 1 and 1000") }
            guard (1...120).contains(minutes) else { throw ValidationError("--minutes must be between 1 and 120") }
            let created = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                let clock = ManualClock(Date())
                let end = clock.now()
                let intake = TicketIntakeService(database: TenantDatabase(pool: pool), clock: clock)
                let customer = try await CustomerService(database: TenantDatabase(pool: pool), clock: clock)
                    .create(tenantID, NewCustomer(name: "Surge rehearsal", externalId: "kefu-surge-rehearsal"))
                var count = 0
                for minute in 0..<minutes {
                    for n in 0..<rate {
                        clock.set(end.addingTimeInterval(TimeInterval(-(minutes - minute) * 60 + n * 60 / rate)))
                        _ = try await intake.intake(
                            tenantID,
                            NewTicket(
                                customerId: customer.id,
                                channel: channel,
                                description: "[surge rehearsal] ticket \(count + 1)",
                                category: "inquiry"
                            )
                        )
                        count += 1
                    }
                }
                return count
            }
            Console.write(
                "Fed \(created) synthetic tickets into \(scope.tenant) (\(rate)/min over \(minutes) min). Watch: kefu surge status --tenant \(scope.tenant)"
            )
        }
    }
}
