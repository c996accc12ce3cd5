/// The rules every client string meets, wherever it comes from (JSON bodies, query parameters).
public enum InputText {
    /// Why `text` cannot be stored, or nil when it can: C0 control characters other than tab,
    /// CR and LF are refused (libpq ends a text parameter at a NUL; the rest only hide content).
    public static func problem(in text: String) -> String? {
        for scalar in text.unicodeScalars where scalar.value < 0x20 && !allowedControls.contains(scalar.value) {
            return "must not contain control characters (U+\(hex(scalar.value)))"
        }
        return nil
    }

    /// The length the database's checks measure: PostgreSQL's `length()` counts code points
    /// (Unicode scalars), not the grapheme clusters of Swift's `String.count` (a letter with
    /// 300 combining marks is 1 for Swift and 301 for PostgreSQL).
    public static func length(_ text: some StringProtocol) -> Int {
        text.unicodeScalars.count
    }

    private static let allowedControls: Set<UInt32> = [0x09, 0x0A, 0x0D]

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
