import Logging

/// Logging set-up, done once per process: to standard error, so standard output stays clean for
/// `--json`, at the level `KEFU_LOG_LEVEL` asks for.
public enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    public static func bootstrap(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
