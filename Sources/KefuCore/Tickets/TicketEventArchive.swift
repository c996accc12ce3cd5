import Foundation
import KefuPostgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Archives whole past months of the audit trail (`ticket_events`, monthly partitions, sql/041):
/// each month goes to `ticket_events_pYYYYMM.csv` (CSV with a header, as `COPY … CSV HEADER`
/// writes it) and is then detached and dropped, in one transaction per month (sql/043). Runs as
/// the owner role: it does DDL. A tenant's `retention.service_records_years` that still covers a
/// month refuses the whole run before anything is written.
public struct TicketEventArchive: Sendable {
    let pool: ConnectionPool

    /// `ownerPool` connects as the owner role (the one `kefu migrate` uses).
    public init(ownerPool: ConnectionPool) {
        self.pool = ownerPool
    }

    /// One monthly partition that can be archived.
    public struct Month: Codable, Sendable, Equatable {
        public var partition: String
        public var starts: Date
        public var ends: Date
    }

    /// A tenant whose retention setting still covers a month.
    public struct Conflict: Codable, Sendable, Equatable {
        public var partition: String
        public var tenantId: UUID
        public var slug: String
        public var years: Int
        /// When the month may be archived for this tenant.
        public var keptUntil: Date
    }

    /// One archived month.
    public struct Exported: Codable, Sendable, Equatable {
        public var partition: String
        public var rows: Int
        public var bytes: Int
        public var file: String
    }

    /// Why an archive run did nothing.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The partitions `export(before:to:)` would archive: every month ending on or before `before`.
    public func months(before: Date) async throws -> [Month] {
        try await pool.query("SELECT partition_name, starts, ends FROM kefu_archivable_partitions(\(before))").map {
            Month(
                partition: try $0.decode(String.self, "partition_name"),
                starts: try $0.decode(Date.self, "starts"),
                ends: try $0.decode(Date.self, "ends")
            )
        }
    }

    /// The tenants (with months) whose retention forbids archiving the months before `before`.
    public func conflicts(before: Date) async throws -> [Conflict] {
        let range = try Self.retentionRange()
        return try await pool.transaction(setup: [Self.noRowSecurity]) { tx in
            try await tx.query(
                """
                SELECT partition_name, tenant_id, slug, years, kept_until
                FROM kefu_archive_retention_conflicts(\(before), \(Int(range.lowerBound))::int, \(Int(range.upperBound))::int)
                """
            ).map {
                Conflict(
                    partition: try $0.decode(String.self, "partition_name"),
                    tenantId: try $0.decode(UUID.self, "tenant_id"),
                    slug: try $0.decode(String.self, "slug"),
                    years: try $0.decode(Int.self, "years"),
                    keptUntil: try $0.decode(Date.self, "kept_until")
                )
            }
        }
    }

    /// Archives every month ending on or before `before` (a past date) into `directory`. Checks
    /// first, writing nothing when any check fails: `before` not in the future, no tenant's
    /// retention covering any of the months, no archive file already there. Then per month, in
    /// one transaction: lock, COPY out to a temporary file, fsync, check the row count, move it
    /// to its name and fsync the directory, detach and drop the partition, commit. A failure
    /// leaves that month attached and no file under its name; months done before it stay done.
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
        // The name comes from the catalog (kefu_archivable_partitions); checked again before it
        // is written into the COPY statement, which takes no parameters.
        guard month.partition.range(of: "^ticket_events_p[0-9]{6}$", options: .regularExpression) != nil else {
            throw Refusal(description: "unexpected partition name \(month.partition)")
        }
        let final = Self.file(month, in: directory)
        let temporary = directory.appendingPathComponent(".\(final.lastPathComponent).partial")
        var renamedRows: Int?
        do {
            try await pool.withConnection { connection in
                try await connection.transaction(setup: [Self.noRowSecurity, "SET LOCAL lock_timeout = '10s'"]) { tx in
                    let expected = try await tx.queryScalar(Int.self, "SELECT kefu_archive_lock_partition(\(month.partition))") ?? -1
                    let copied = try await Self.copy(month.partition, tx: tx, to: temporary)
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
        return Exported(partition: month.partition, rows: renamedRows ?? 0, bytes: bytes, file: final.path)
    }

    /// `COPY <partition> TO STDOUT (FORMAT csv, HEADER)` into `file` (created 0600: it holds
    /// personal data), fsynced; returns the rows copied.
    private static func copy(_ partition: String, tx: PostgresTransaction, to file: URL) async throws -> Int {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Refusal(description: "cannot create \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let copied = try await tx.copyOut("COPY \(partition) TO STDOUT WITH (FORMAT csv, HEADER)") { chunk in
            try writeAll(descriptor, chunk, path: file.path)
        }
        guard fsync(descriptor) == 0 else { throw Refusal(description: "cannot fsync \(file.path): \(String(cString: strerror(errno)))") }
        return copied
    }

    private static func writeAll(_ descriptor: Int32, _ chunk: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < chunk.count {
            let written = write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Refusal(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Gives `temporary` the name `final` unless that exists (a hard link fails then, where
    /// rename would replace), then makes the new name durable.
    private static func moveWithoutReplacing(_ temporary: URL, to final: URL) throws {
        guard link(temporary.path, final.path) == 0 else {
            throw Refusal(description: "cannot create \(final.path): \(String(cString: strerror(errno)))")
        }
        unlink(temporary.path)
        try syncDirectory(final.deletingLastPathComponent())
    }

    private static func syncDirectory(_ directory: URL) throws {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Refusal(description: "cannot open \(directory.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Refusal(description: "cannot fsync \(directory.path): \(String(cString: strerror(errno)))") }
    }

    /// `DIR/ticket_events_pYYYYMM.csv`.
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

    static func retentionRefusal(_ conflicts: [Conflict]) -> Refusal {
        let lines = conflicts.map {
            "  \($0.partition): tenant \($0.slug) (\($0.tenantId.uuidString.lowercased())) keeps service records \($0.years) years, until "
                + PostgresTimestamp.formatISO8601($0.keptUntil)
        }
        return Refusal(
            description: (["refused: tenants' retention.service_records_years still covers these months; nothing was written or dropped"]
                + lines).joined(separator: "\n")
        )
    }
}
