import XCTest

/// Unwraps an optional, failing the test with a clear message when it is nil. Unlike
/// `XCTUnwrap` it takes a plain argument, so it accepts `try await` expressions.
public func require<T>(_ value: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> T {
    guard let value else {
        XCTFail("unexpected nil \(T.self) \(message)", file: file, line: line)
        throw RequireError()
    }
    return value
}

public struct RequireError: Error {}
