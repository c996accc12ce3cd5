import Foundation
import KefuPostgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Archives whole past months of every monthly-partitioned table (issue 16 §1; sql/046 says
/// which tables take part: found in the catalog, partitions `<table>_pYYYYMM`, a `tenant_id`
/// column). Each month of each table goes to `<partition>.csv` (CSV with a header, as `COPY …
/// CSV HEADER` writes it) and is then detached and dropped, in one transaction per partition.
/// Runs as the owner role: it does DDL. A tenant's `retention.service_records_years` that still
/// covers a month holding its rows, in any table, refuses the whole run before anything is written.
public struct PartitionArchive: Sendable {
    let pool: ConnectionPool

    /// `ownerPool` connects as the owner role (the one `kefu migrate` uses).
    public init(ownerPool: ConnectionPool) {
        self.pool = ownerPool
    }

    /// One monthly partition that can be archived.
    public struct Month: Codable, Sendable, Equatable {
        public var table: String
        public var partition: String
        public var starts: Date
        public var ends: Date
    }

    /// A tenant whose retention setting still covers its rows in one table's month.
    public struct Conflict: Codable, Sendable, Equatable {
        public var table: String
        public var partition: String
        public var tenantId: UUID
        public var slug: String
        public var years: Int
        /// When the month may be archived for this tenant.
        public var keptUntil: Date
    }

    /// One archived partition.
    public struct Exported: Codable, Sendable, Equatable {
        public var table: String
        public var partition: String
        public var rows: Int
        public var bytes: Int
        public var file: String
    }

    /// Why an archive run did nothing.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The partitions `export(before:to:)` would archive: every month ending on or before
    /// `before`, oldest first, tables by name within a month.
    public func months(before: Date) async throws -> [Month] {
        try await pool.query("SELECT table_name, partition_name, starts, ends FROM kefu_archivable_partitions(\(before))").map {
            Month(
                table: try $0.decode(String.self, "table_name"),
                partition: try $0.decode(String.self, "partition_name"),
                starts: try $0.decode(Date.self, "starts"),
                ends: try $0.decode(Date.self, "ends")
            )
        }
    }

    /// The tenants (with tables and months) whose retention forbids archiving the months before `before`.
    public func conflicts(before: Date) async throws -> [Conflict] {
        let range = try Self.retentionRange()
        return try await pool.transaction(setup: [Self.noRowSecurity]) { tx in
            try await tx.query(
                """
                SELECT table_name, partition_name, tenant_id, slug, years, kept_until
                FROM kefu_archive_retention_conflicts(\(before), \(Int(range.lowerBound))::int, \(Int(range.upperBound))::int)
                """
            ).map {
                Conflict(
                    table: try $0.decode(String.self, "table_name"),
                    partition: try $0.decode(String.self, "partition_name"),
                    tenantId: try $0.decode(UUID.self, "tenant_id"),
                    slug: try $0.decode(String.self, "slug"),
                    years: try $0.decode(Int.self, "years"),
                    keptUntil: try $0.decode(Date.self, "kept_until")
                )
            }
        }
    }

    /// Archives every partition whose month ends on or before `before` (a past date) into
    /// `directory`. Checks first, writing nothing when any check fails: `before` not in the
    /// future, no tenant's retention covering any of the months in any table, no archive file
    /// already there. Then per partition, in one transaction: lock, COPY out to a temporary
    /// file, fsync, check the row count, move it to its name and fsync the directory, detach
    /// and drop the partition, commit. A failure leaves that partition attached and no file
    /// under its name; partitions done before it stay done.
    public func export(before: Date, to directory: URL) async throws -> [Exported] {
        let now = try await pool.queryScalar(Date.self, "SELECT now()") ?? Date()
        guard before <= now else {
            throw Refusal(description: "--before \(PostgresTimestamp.formatISO8601(before)) is in the future: only past months can be archived")
        }
        let months = try await months(before: before)
        guard !months.isEmpty else { return [] }
        let conflicts = try await conflicts(before: before)
        guard conflicts.isEmpty else { throw Self.retentionRefusal(conflicts) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for month in months where FileManager.default.fileExists(atPath: Self.file(month, in: directory).path) {
            throw Refusal(description: "\(Self.file(month, in: directory).path) already exists: archive files are never overwritten")
        }
        var exported: [Exported] = []
        for month in months { exported.append(try await export(month, to: directory)) }
        return exported
    }

    private func export(_ month: Month, to directory: URL) async throws -> Exported {
        let final = Self.file(month, in: directory)
        let temporary = directory.appendingPathComponent(".\(final.lastPathComponent).partial")
        var renamedRows: Int?
        do {
            try await pool.withConnection { connection in
                try await connection.transaction(setup: [Self.noRowSecurity, "SET LOCAL lock_timeout = '10s'"]) { tx in
                    let expected = try await tx.queryScalar(Int.self, "SELECT kefu_archive_lock_partition(\(month.partition))") ?? -1
                    // COPY takes no parameters: the statement comes from SQL, the name quoted there.
                    guard let statement = try await tx.queryScalar(String.self, "SELECT kefu_archive_copy_statement(\(month.partition))") else {
                        throw Refusal(description: "\(month.partition) is no longer a monthly partition")
                    }
                    let copied = try await Self.copy(statement, tx: tx, to: temporary)
                    guard copied == expected else {
                        throw Refusal(description: "\(month.partition): \(copied) rows written but the partition has \(expected); nothing dropped")
                    }
                    try Self.moveWithoutReplacing(temporary, to: final)
                    renamedRows = copied
                    try await tx.execute("SELECT kefu_archive_drop_partition(\(month.partition), \(copied))")
                }
            }
        } catch {
            unlink(temporary.path)
            guard renamedRows != nil else { throw error }
            // Whether the commit happened decides what the file is: the archive (partition gone)
            // or a copy of rows still attached (removed, so that a rerun writes it again).
            guard let attached = try? await pool.queryScalar(Bool.self, "SELECT to_regclass(\(month.partition)) IS NOT NULL") else {
                throw Refusal(
                    description: "\(month.partition): \(error); unknown whether it was dropped, so \(final.path) is kept: "
                        + "delete it if the partition is still attached, then run again"
                )
            }
            guard !attached else {
                unlink(final.path)
                try? Self.syncDirectory(directory)
                throw error
            }
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: final.path)[.size] as? NSNumber)?.intValue ?? 0
        return Exported(table: month.table, partition: month.partition, rows: renamedRows ?? 0, bytes: bytes, file: final.path)
    }

    /// `DIR/<partition>.csv`, e.g. `DIR/ticket_events_p202401.csv`.
    public static func file(_ month: Month, in directory: URL) -> URL {
        directory.appendingPathComponent("\(month.partition).csv")
    }

    /// Row-level security would hide rows from an owner without BYPASSRLS: with it off, such a
    /// read fails instead of exporting (and then dropping) fewer rows than there are.
    static let noRowSecurity: PostgresQuery = "SET LOCAL row_security = off"

    static func retentionRange() throws -> ClosedRange<Double> {
        guard let setting = SettingRanges.all.first(where: { $0.name == "retention.service_records_years" }) else {
            throw Refusal(description: "retention.service_records_years has no range")
        }
        return setting.range
    }

    /// `YYYY-MM` from a partition's `_pYYYYMM` suffix.
    static func monthName(_ partition: String) -> String {
        let digits = partition.suffix(6)
        return "\(digits.prefix(4))-\(digits.suffix(2))"
    }

    static func retentionRefusal(_ conflicts: [Conflict]) -> Refusal {
        let lines = conflicts.map {
            "  \(monthName($0.partition)) \($0.table) (\($0.partition)): tenant \($0.slug) (\($0.tenantId.uuidString.lowercased())) "
                + "keeps service records \($0.years) years, until \(PostgresTimestamp.formatISO8601($0.keptUntil))"
        }
        return Refusal(
            description: ([
                "refused: tenants' retention.service_records_years still covers their rows in these months; nothing was written or dropped"
            ]
                + lines).joined(separator: "\n")
        )
    }
}
