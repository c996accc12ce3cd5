import Foundation

/// A configuration variable with a wrong value.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var variable: String
    public var reason: String
    public var description: String { "\(variable) \(reason)" }
}
