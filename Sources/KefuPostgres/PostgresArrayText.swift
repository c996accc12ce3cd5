/// PostgreSQL's one-dimensional array text format: `{a,"b c",NULL}`.
enum PostgresArrayText {
    static func encode(_ items: [String]) -> String {
        var text = "{"
        for (i, item) in items.enumerated() {
            if i > 0 { text += "," }
            text += "\""
            for char in item.unicodeScalars {
                if char == "\"" || char == "\\" { text += "\\" }
                text.unicodeScalars.append(char)
            }
            text += "\""
        }
        return text + "}"
    }

    /// Splits an array literal into its elements (nil for NULL). Multi-dimensional arrays are rejected.
    static func decode(_ text: String) throws -> [String?] {
        var scalars = Array(text.unicodeScalars)
        // A lower-bound prefix like "[0:1]={...}" appears only for non-default bounds.
        if let equals = scalars.firstIndex(of: "="), scalars.first == "[" { scalars = Array(scalars[(equals + 1)...]) }
        guard scalars.first == "{", scalars.last == "}" else { throw PostgresDecodingFailure("malformed array literal") }
        var items: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if end == 1 { return [] }
        while index <= end {
            var item = String.UnicodeScalarView()
            var quoted = false
            if scalars[index] == "{" { throw PostgresDecodingFailure("multi-dimensional arrays are not supported") }
            if scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < end, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    item.append(scalars[index])
                    index += 1
                }
                index += 1  // closing quote
            } else {
                while index < end, scalars[index] != "," {
                    item.append(scalars[index])
                    index += 1
                }
            }
            let value = String(item)
            items.append(!quoted && value.uppercased() == "NULL" ? nil : value)
            index += 1  // the comma or the closing brace
        }
        return items
    }

    static func elementType(ofArray type: PostgresDataType) -> PostgresDataType {
        switch type {
        case .boolArray: .bool
        case .int2Array: .int2
        case .int4Array: .int4
        case .int8Array: .int8
        case .textArray: .text
        case .varcharArray: .varchar
        case .float8Array: .float8
        case .timestamptzArray: .timestamptz
        case .uuidArray: .uuid
        case .jsonbArray: .jsonb
        default: .unknown
        }
    }
}
