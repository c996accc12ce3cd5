import Foundation
import XCTest

@testable import KefuCore

/// The API's encoder must write the same documents as Foundation's encoder with Kefu's settings.
final class CompactJSONEncoderTests: XCTestCase {
    private struct Sample: Codable, Equatable {
        enum Mood: String, Codable { case calm, busy }
        struct Inner: Codable, Equatable {
            var tagIds: [UUID]
            var note: String?
        }
        var firstOwnerId: UUID
        var requestCount: Int
        var p1: Double
        var slaPausedAt: Date?
        var createdAt: Date
        var mood: Mood
        var ratio: Double
        var big: Int64
        var flags: [Bool]
        var text: String
        var inner: Inner
        var matrix: [[Int]]
        var byName: [String: Int]
        var missing: String?
        var explicitNil: String??
    }

    private func jsonObject(_ bytes: some Sequence<UInt8>) throws -> NSDictionary {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func testDocumentsMatchFoundationsWithKefuConventions() throws {
        let sample = Sample(
            firstOwnerId: UUID(),
            requestCount: -3,
            p1: 0.1,
            slaPausedAt: nil,
            createdAt: Date(timeIntervalSince1970: 1_764_083_540.123),
            mood: .busy,
            ratio: 3,
            big: Int64.max,
            flags: [true, false],
            text: "quote \" backslash \\ slash / newline \n tab \t bell \u{07} 退款失败 😀",
            inner: .init(tagIds: [UUID(), UUID()], note: nil),
            matrix: [[1, 2], [], [3]],
            byName: ["a": 1, "bB": 2],
            missing: nil,
            explicitNil: .some(nil)
        )
        let ours = try CompactJSONEncoder().encode(sample)
        let foundation = try KefuJSON.encoder().encode(sample)
        XCTAssertEqual(try jsonObject(ours), try jsonObject(foundation), String(decoding: ours, as: UTF8.self))
        let decoded = try KefuJSON.decoder().decode(Sample.self, from: Data(ours))
        XCTAssertEqual(decoded.text, sample.text)
        XCTAssertEqual(decoded.createdAt.timeIntervalSince1970, 1_764_083_540.123, accuracy: 0.0005)
        let text = String(decoding: ours, as: UTF8.self)
        XCTAssertTrue(text.contains(#""created_at":"2025-11-25T15:12:20.123Z""#), text)
        XCTAssertTrue(text.contains(#""request_count":-3"#), text)
        XCTAssertFalse(text.contains("missing"), "absent optionals are left out")
        XCTAssertTrue(text.contains(#""ratio":3,"#), "integral numbers are written without a fraction")
        XCTAssertTrue(text.contains(#"slash / newline \n"#), "slashes are not escaped")
    }

    func testSnakeCaseMatchesFoundation() throws {
        struct Keys: Encodable {
            var a = 1, aB = 1, firstOwnerId = 1, tagIds = 1, HTTPStatus = 1, myURLs = 1, p1Minutes = 1, already_snake = 1
            var URLForConfig = 1, _private = 1, trailing_ = 1, ABC = 1, aBC = 1, x2Y = 1
        }
        let ours = try jsonObject(try CompactJSONEncoder().encode(Keys()))
        let foundation = try jsonObject(try KefuJSON.encoder().encode(Keys()))
        XCTAssertEqual(Set(ours.allKeys.map { "\($0)" }), Set(foundation.allKeys.map { "\($0)" }))
    }

    func testNonFiniteNumbersAreAnError() {
        struct Bad: Encodable { var value = Double.nan }
        XCTAssertThrowsError(try CompactJSONEncoder().encode(Bad()))
    }
}
