import Foundation

/// Number formatting shared by the table and the verdict.
enum Format {
    /// `2712.3`
    static func rate(_ value: Double) -> String { String(format: "%.1f", value) }
    /// `0.93`
    static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
}
