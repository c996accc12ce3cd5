import Foundation
import KefuPostgres

/// Finds the `sql/` directory of migrations.
public enum MigrationFiles {
    /// `KEFU_SQL_DIR`, else the source checkout's `sql/`, else `./sql`, else `/usr/share/kefu/sql`.
    public static func directory(override: String?) throws -> URL {
        if let override {
            return URL(fileURLWithPath: override)
        }
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql")
        let candidates = [
            checkout,
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql"),
            URL(fileURLWithPath: "/usr/share/kefu/sql"),
        ]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("001_foundation.sql").path) {
            return candidate
        }
        throw ConfigurationError(variable: "KEFU_SQL_DIR", reason: "is not set and no sql/ directory with migrations was found")
    }

    /// The migrations in that directory.
    public static func load(_ environment: KefuEnvironment) throws -> [Migration] {
        try Migration.load(from: environment.sqlDirectory)
    }
}
