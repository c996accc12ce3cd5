import Hummingbird
import KefuCore
import KefuPostgres

/// A database refusal that the client's input caused: a constraint the input violated or a
/// value PostgreSQL could not take. Validation should catch these first; whatever gets past it
/// is still the client's to fix (4xx naming the field where the server says which), never a 500.
struct DatabaseInputError: Equatable {
    var status: HTTPResponse.Status
    var code: ErrorCode
    var message: String
    var field: String?

    /// The refusal `error` reports, or nil when it is not one (then it is a server error).
    init?(_ error: PostgresError) {
        guard error.kind == .server, let state = error.sqlState else { return nil }
        let field = Self.field(of: error)
        switch state {
        case "23505", "23P01":
            self.init(status: .conflict, code: .conflict, message: "\(field ?? "the input") conflicts with an existing record", field: nil)
        case "23503" where error.detail?.contains("still referenced") == true:
            self.init(status: .conflict, code: .conflict, message: "the record is still in use", field: nil)
        case "23503":
            self.init(
                status: .unprocessableContent,
                code: .invalidField,
                message: "\(field ?? "body"): refers to a record that does not exist",
                field: field ?? "body"
            )
        case "23502", "23514":
            self.init(
                status: .unprocessableContent,
                code: .invalidField,
                message: "\(field ?? "body"): is missing or not allowed here",
                field: field ?? "body"
            )
        case _ where state.hasPrefix("22"):
            self.init(
                status: .unprocessableContent,
                code: .invalidField,
                message: "\(field ?? "body"): is a value the database cannot store",
                field: field ?? "body"
            )
        default:
            return nil
        }
    }

    init(status: HTTPResponse.Status, code: ErrorCode, message: String, field: String?) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// The input field the server named: the column, the key of a key violation
    /// (`Key (external_id)=(…)`, tenant_id left out), or the column in a `<table>_<column>_check`
    /// constraint name.
    static func field(of error: PostgresError) -> String? {
        if let column = error.column { return column }
        if let detail = error.detail, detail.hasPrefix("Key ("), let close = detail.firstIndex(of: ")") {
            let columns = detail[detail.index(detail.startIndex, offsetBy: 5)..<close]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0 != "tenant_id" && !$0.contains("(") }
            if let last = columns.last { return last }
        }
        if let constraint = error.constraint, let table = error.table,
            constraint.hasPrefix(table + "_"), constraint.hasSuffix("_check")
        {
            let column = constraint.dropFirst(table.count + 1).dropLast("_check".count)
            if !column.isEmpty { return String(column) }
        }
        return nil
    }
}
