import CLibPQ
import Foundation
import Logging

/// The rows and affected-row count of one statement.
public struct PostgresResult: Sendable, RandomAccessCollection {
    public let rows: [PostgresRow]
    /// Rows inserted, updated or deleted (`PQcmdTuples`), or the number of rows returned.
    public let affectedRows: Int

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }
}

/// One libpq connection, driven from its own dedicated thread.
///
/// All libpq calls for this connection run on that thread, one at a time; the async methods
/// suspend the caller until the work is done. Use a `ConnectionPool` rather than sharing one
/// connection between tasks.
public final class PostgresConnection: PostgresQueryable, @unchecked Sendable {
    // Only touched on `executor`'s thread.
    private var handle: OpaquePointer?
    let executor: BlockingExecutor
    private let stateLock = NSLock()
    private var _isBroken = false
    /// Set by the pool when it hands out an idle connection: the next job on the connection's
    /// thread checks first that the server has not closed it meanwhile.
    private var _idleCheckPending = false
    private var _inTransaction = false
    private var _inFailedTransaction = false
    /// Named server-side statements of this connection (only touched on `executor`'s thread).
    var statements = PreparedStatementCache()
    /// The server process id, for `pg_terminate_backend` and logs.
    public let backendPID: Int32
    let logger: Logger

    private init(handle: OpaquePointer, executor: BlockingExecutor, logger: Logger) {
        self.handle = handle
        self.executor = executor
        self.backendPID = PQbackendPID(handle)
        self.logger = logger
    }

    /// Opens a connection. The error names the problem but never the password.
    public static func connect(
        _ configuration: PostgresConfiguration,
        logger: Logger = Logger(label: "kefu.postgres")
    ) async throws -> PostgresConnection {
        let executor = BlockingExecutor(name: "kefu-pg")
        do {
            let handle = try await executor.run { try Self.open(configuration) }
            return PostgresConnection(handle: handle.value, executor: executor, logger: logger)
        } catch {
            executor.stop()
            throw error
        }
    }

    private static func open(_ configuration: PostgresConfiguration) throws -> UnsafeSendable<OpaquePointer> {
        var parameters = configuration.parameters
        parameters["client_encoding"] = "UTF8"
        if parameters["connect_timeout"] == nil { parameters["connect_timeout"] = "10" }
        let keys = Array(parameters.keys)
        let keyPointers = keys.map { strdup($0) } + [nil]
        let valuePointers = keys.map { strdup(parameters[$0]!) } + [nil]
        defer {
            for pointer in keyPointers + valuePointers { free(pointer) }
        }
        let handle: OpaquePointer? = keyPointers.withUnsafeBufferPointer { keysBuffer in
            valuePointers.withUnsafeBufferPointer { valuesBuffer in
                keysBuffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: keysBuffer.count) { k in
                    valuesBuffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: valuesBuffer.count) { v in
                        PQconnectdbParams(k, v, 0)
                    }
                }
            }
        }
        guard let handle else {
            throw PostgresError(kind: .connection, message: "out of memory creating a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(kind: .connection, message: "could not connect to \(configuration): \(message)")
        }
        // Timestamps are exchanged as ISO text in UTC.
        let setup = PQexec(handle, "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'")
        defer { PQclear(setup) }
        guard PQresultStatus(setup) == PGRES_COMMAND_OK else {
            let error = Self.error(from: setup, handle: handle, query: nil)
            PQfinish(handle)
            throw error
        }
        return UnsafeSendable(handle)
    }

    /// True once the connection has failed; the pool drops broken connections.
    public var isBroken: Bool { stateLock.withLock { _isBroken } }
    /// True when the open transaction has failed and can only be rolled back.
    public var inFailedTransaction: Bool { stateLock.withLock { _inFailedTransaction } }
    /// True while a transaction is open on the server.
    public var inTransaction: Bool { stateLock.withLock { _inTransaction } }

    /// Runs one statement with bound parameters.
    public func run(_ query: PostgresQuery) async throws -> PostgresResult {
        try await executor.run { try self.execParams(query) }
    }

    /// Runs one or more statements without parameters (for migrations and session setup).
    public func simpleQuery(_ sql: String) async throws {
        try await executor.run { try self.exec(sql) }
    }

    /// Streams rows into `COPY … FROM STDIN` (text format); `lines` are tab-separated rows
    /// without the trailing newline. Returns the number of rows copied.
    public func copyIn(_ copyStatement: String, lines: [String]) async throws -> Int {
        try await executor.run { try self.copy(copyStatement, lines: lines) }
    }

    /// Runs `COPY … TO STDOUT` and hands each chunk of its output to `write`, in order, on the
    /// connection's thread (a chunk is one row in text or CSV format; write it out, don't keep
    /// the buffer). Returns the number of rows copied, as the server counted them. When `write`
    /// throws, the rest of the output is read and discarded (the connection stays usable) and
    /// the error is rethrown; a server error is thrown as `PostgresError`.
    public func copyOut(_ copyStatement: String, to write: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> Int {
        try await executor.run { try self.copyOutOnThread(copyStatement, write) }
    }

    /// Checks the socket without blocking: false when the server has closed the connection.
    public func checkAlive() async -> Bool {
        (try? await executor.run { self.isAlive() }) ?? false
    }

    /// On the connection's thread: reads whatever the server sent while the connection was idle.
    private func isAlive() -> Bool {
        guard let handle else { return false }
        // A terminated backend sends a FATAL error and closes the socket; reading until the
        // socket has nothing more to say surfaces the end-of-file as CONNECTION_BAD.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            if PQconsumeInput(handle) == 0 { break }
        }
        if PQstatus(handle) != CONNECTION_OK {
            markBroken()
            return false
        }
        return true
    }

    /// Closes the connection and its thread.
    public func close() async {
        _ = try? await executor.run {
            if let handle = self.handle { PQfinish(handle) }
            self.handle = nil
            self.markBroken()
        }
        executor.stop()
    }

    // MARK: - Work on the connection's thread

    /// The libpq handle for a job on the connection's thread. After `checkAfterIdle()`, the first
    /// job checks the socket before sending anything and throws `IdleConnectionLost` when the
    /// server has closed the connection (so the caller may use another one).
    func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection is closed") }
        let check = stateLock.withLock {
            defer { _idleCheckPending = false }
            return _idleCheckPending
        }
        if check, !isAlive() { throw IdleConnectionLost() }
        return handle
    }

    /// Makes the next job check the connection first, in that job (one thread hand-off instead of
    /// a separate `checkAlive()`).
    func checkAfterIdle() {
        stateLock.withLock { _idleCheckPending = true }
    }

    func markBroken() {
        stateLock.withLock { _isBroken = true }
    }

    func updateState(_ handle: OpaquePointer) {
        let broken = PQstatus(handle) != CONNECTION_OK
        let status = PQtransactionStatus(handle)
        stateLock.withLock {
            if broken { _isBroken = true }
            _inTransaction = status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
            _inFailedTransaction = status == PQTRANS_INERROR
        }
    }

    private func execParams(_ query: PostgresQuery) throws -> PostgresResult {
        let handle = try liveHandle()
        let types = query.types.map { Oid($0.rawValue) }
        let name = try preparedName(handle, query, types: types)
        let result: OpaquePointer? = Self.withBoundValues(query) { count, values, lengths, formats in
            if let name {
                return PQexecPrepared(handle, name, count, values, lengths, formats, 0)
            }
            return PQexecParams(handle, query.sql, count, types, values, lengths, formats, 0)
        }
        defer { PQclear(result) }
        updateState(handle)
        return try Self.collect(result, handle: handle, query: query.sql)
    }

    /// Calls `body` with libpq's parameter arrays for `query`'s binds (text, or binary for bytes).
    static func withBoundValues<R>(
        _ query: PostgresQuery,
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, [Int32], [Int32]) -> R
    ) -> R {
        let count = query.binds.count
        var values: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        values.reserveCapacity(count)
        for bind in query.binds {
            switch bind {
            case .null:
                values.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                values.append(strdup(text))
                lengths.append(0)
                formats.append(0)
            case .binary(let bytes):
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
                bytes.withUnsafeBufferPointer { source in
                    source.withMemoryRebound(to: CChar.self) { chars in
                        if let base = chars.baseAddress { buffer.initialize(from: base, count: bytes.count) }
                    }
                }
                values.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        defer { for pointer in values { free(pointer) } }
        return values.withUnsafeBufferPointer { valueBuffer in
            valueBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constValues in
                body(Int32(count), constValues.baseAddress, lengths, formats)
            }
        }
    }

    /// The server-side name of `query`'s statement, preparing it on first use; nil when the
    /// cache is full (the statement then goes unnamed, parsed and planned each time).
    private func preparedName(_ handle: OpaquePointer, _ query: PostgresQuery, types: [Oid]) throws -> String? {
        if query.unprepared { return nil }
        let key = PreparedStatementCache.Key(sql: query.sql, types: types)
        if let name = statements.name(for: key) { return name }
        guard let name = statements.reserveName() else { return nil }
        let result = PQprepare(handle, name, query.sql, Int32(types.count), types)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            updateState(handle)
            throw Self.error(from: result, handle: handle, query: query.sql)
        }
        statements.insert(key, name: name)
        return name
    }

    private func exec(_ sql: String) throws {
        let handle = try liveHandle()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        updateState(handle)
        _ = try Self.collect(result, handle: handle, query: nil)
    }

    private func copy(_ statement: String, lines: [String]) throws -> Int {
        let handle = try startCopy(statement, expecting: PGRES_COPY_IN)
        var buffer = ""
        buffer.reserveCapacity(1 << 16)
        var sendFailed = false
        for line in lines {
            buffer += line
            buffer += "\n"
            if buffer.utf8.count >= 1 << 16 {
                sendFailed = !Self.putCopyData(handle, buffer)
                buffer.removeAll(keepingCapacity: true)
                if sendFailed { break }
            }
        }
        if !sendFailed, !buffer.isEmpty { sendFailed = !Self.putCopyData(handle, buffer) }
        PQputCopyEnd(handle, sendFailed ? "client failed to send data" : nil)
        return try finishCopy(handle, statement)
    }

    private func copyOutOnThread(_ statement: String, _ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let handle = try startCopy(statement, expecting: PGRES_COPY_OUT)
        var writeError: (any Error)?
        var buffer: UnsafeMutablePointer<CChar>?
        while true {
            // Blocking read (async = 0): > 0 is a row's length, -1 the end, -2 an error.
            let length = PQgetCopyData(handle, &buffer, 0)
            guard length > 0, let chunk = buffer else { break }
            if writeError == nil {
                do {
                    try write(UnsafeRawBufferPointer(start: chunk, count: Int(length)))
                } catch {
                    writeError = error
                }
            }
            PQfreemem(chunk)
            buffer = nil
        }
        let copied = try finishCopy(handle, statement)
        if let writeError { throw writeError }
        return copied
    }

    /// Sends a COPY statement; returns the handle once the server is in the COPY state `expected`.
    private func startCopy(_ statement: String, expecting expected: ExecStatusType) throws -> OpaquePointer {
        let handle = try liveHandle()
        let start = PQexec(handle, statement)
        defer { PQclear(start) }
        guard PQresultStatus(start) == expected else {
            updateState(handle)
            throw Self.error(from: start, handle: handle, query: statement)
        }
        return handle
    }

    /// Reads a finished COPY's results: the rows copied, or the server's error.
    private func finishCopy(_ handle: OpaquePointer, _ statement: String) throws -> Int {
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = Self.error(from: result, handle: handle, query: statement)
            }
            PQclear(result)
        }
        updateState(handle)
        if let failure { throw failure }
        return copied
    }

    private static func putCopyData(_ handle: OpaquePointer, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                PQputCopyData(handle, chars.baseAddress, Int32(chars.count)) == 1
            }
        }
    }

    /// Reads pending notifications, waiting up to `timeout` for the socket to become readable.
    func pollNotifications(timeout: Duration) async throws -> [PostgresNotification] {
        try await executor.run {
            try self.readNotifications(
                timeoutMilliseconds: Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            )
        }
    }

    private func readNotifications(timeoutMilliseconds: Int32) throws -> [PostgresNotification] {
        let handle = try liveHandle()
        var notifications = drainNotifications(handle)
        if !notifications.isEmpty { return notifications }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready > 0 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                markBroken()
                let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
                throw PostgresError(kind: .connection, message: "listener connection lost: \(message)")
            }
            notifications = drainNotifications(handle)
        }
        return notifications
    }

    private func drainNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            notifications.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    backendPID: notify.pointee.be_pid
                )
            )
            PQfreemem(notify)
        }
        return notifications
    }

    // MARK: - Results and errors

    static func collect(_ result: OpaquePointer?, handle: OpaquePointer, query: String?) throws -> PostgresResult {
        guard let result else {
            throw PostgresError(kind: .connection, message: lastError(handle), query: query)
        }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            var names: [String] = []
            var types: [PostgresDataType] = []
            for column in 0..<columnCount {
                names.append(String(cString: PQfname(result, Int32(column))))
                types.append(PostgresDataType(UInt32(PQftype(result, Int32(column)))))
            }
            let columns = PostgresColumns(names: names, types: types)
            var rows: [PostgresRow] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<rowCount {
                var values: [String?] = []
                values.reserveCapacity(columnCount)
                for column in 0..<columnCount {
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                        values.append(nil)
                    } else {
                        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                        let pointer = PQgetvalue(result, Int32(row), Int32(column))!
                        values.append(
                            pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                            }
                        )
                    }
                }
                rows.append(PostgresRow(columns: columns, values: values))
            }
            return PostgresResult(rows: rows, affectedRows: rowCount)
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            return PostgresResult(rows: [], affectedRows: affected)
        default:
            throw error(from: result, handle: handle, query: query)
        }
    }

    private static func lastError(_ handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func error(from result: OpaquePointer?, handle: OpaquePointer, query: String?) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(UInt8(ascii: "C"))
        let message = field(UInt8(ascii: "M")) ?? lastError(handle)
        // With no SQLSTATE the error is libpq's own. In pipeline mode libpq can report "server
        // closed the connection unexpectedly" before the handle's status turns bad: that too is a
        // lost connection (503 to a client), not a client error.
        let libpqText = message.lowercased()
        let lost = PQstatus(handle) != CONNECTION_OK || libpqText.contains("connection") || libpqText.contains("server")
        return PostgresError(
            kind: sqlState == nil && lost ? .connection : (sqlState == nil ? .client : .server),
            message: message,
            sqlState: sqlState,
            severity: field(UInt8(ascii: "V")) ?? field(UInt8(ascii: "S")),
            detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")),
            constraint: field(UInt8(ascii: "n")),
            table: field(UInt8(ascii: "t")),
            column: field(UInt8(ascii: "c")),
            query: query
        )
    }
}

/// The server closed a pooled connection while it was idle; the statement was not sent.
/// Internal: the pool catches it and retries on another connection.
struct IdleConnectionLost: Error {}

/// Wraps a value that is safe to move between threads by construction (a libpq handle handed
/// from the thread that created it to the connection that will own it).
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
