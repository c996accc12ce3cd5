import Foundation
import KefuCore
import XCTest

/// The strict parser and decoder on their own: escapes, surrogates, number kinds, key spelling,
/// free-form dictionaries, nulls in partial updates.
final class StrictJSONDecoderTests: XCTestCase {
    struct Sample: Decodable, Equatable {
        var name: String
        var count: Int?
        var ratio: Double?
        var labels: [String: String]?
        var firstSeenAt: Date?
    }

    struct Patch: PartialUpdate {
        var name: String?
        var note: String?
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try StrictJSONDecoder.decode(type, from: Array(text.utf8))
    }

    func field(_ text: String, as type: (some Decodable).Type = Sample.self) -> String? {
        do {
            _ = try decode(type, text)
            return nil
        } catch let error as KefuError {
            return error.field
        } catch let error as DecodingError {
            if let path = DecodingErrors.fieldPath(error) { return path }
            if case .dataCorrupted = error { return "malformed" }
            return "body"
        } catch {
            return "\(error)"
        }
    }

    func testEscapesAndSurrogatePairsDecode() throws {
        let sample = try decode(Sample.self, #"{"name": "\u738b\u82b3 \ud83d\ude00 \"q\" \\ \/ \t"}"#)
        XCTAssertEqual(sample.name, "王芳 😀 \"q\" \\ / \t")
        XCTAssertEqual(field(#"{"name": "\ud83d"}"#), "malformed", "a lone surrogate is not text")
        XCTAssertEqual(field(#"{"name": "\x41"}"#), "malformed")
    }

    func testNumbersMustFitTheirField() throws {
        XCTAssertEqual(try decode(Sample.self, #"{"name": "a", "count": 12, "ratio": -0.5e1}"#).count, 12)
        XCTAssertEqual(try decode(Sample.self, #"{"name": "a", "count": 1.2e1}"#).count, 12)
        for count in ["1.5", "9223372036854775808", "-9223372036854775809", "1e19", "\"3\""] {
            XCTAssertEqual(field(#"{"name": "a", "count": \#(count)}"#), "count", count)
        }
        XCTAssertEqual(field(#"{"name": "a", "ratio": 1e400}"#), "ratio")
        XCTAssertEqual(field(#"{"name": "a", "count": 01}"#), "malformed", "no leading zeros in JSON")
        XCTAssertEqual(field(#"{"name": "a", "count": -}"#), "malformed")
    }

    func testMembersAreTheDocumentedSnakeCaseNames() throws {
        XCTAssertNotNil(try decode(Sample.self, #"{"name": "a", "first_seen_at": "2026-01-01T00:00:00Z"}"#).firstSeenAt)
        XCTAssertEqual(field(#"{"name": "a", "firstSeenAt": "2026-01-01T00:00:00Z"}"#), "firstSeenAt")
        XCTAssertEqual(field(#"{"name": "a", "first__seen_at": "2026-01-01T00:00:00Z"}"#), "first__seen_at")
        XCTAssertEqual(field(#"{"name": "a", "extra": 1}"#), "extra")
        let labels = try decode(Sample.self, #"{"name": "a", "labels": {"Any Key_x": "v"}}"#).labels
        XCTAssertEqual(labels, ["Any Key_x": "v"], "a dictionary's keys are data, taken as written")
        XCTAssertEqual(field(#"{"name": "a", "labels": {"k": "v\u0007"}}"#), "labels.k")
    }

    func testNullIsNotGivenOnNewInputAndRefusedInPartialUpdates() throws {
        XCTAssertNil(try decode(Sample.self, #"{"name": "a", "count": null}"#).count)
        XCTAssertEqual(field(#"{"name": null}"#), "name")
        XCTAssertEqual(field(#"{"note": null}"#, as: Patch.self), "note")
        XCTAssertEqual(try decode(Patch.self, #"{"note": "n"}"#).note, "n")
    }

    func testTheDocumentIsStrictJSON() {
        for text in [#"{"name": "a",}"#, #"{"name": "a"} {}"#, "{\"name\": \"a\u{0001}\"}", "", "  ", #"{"name": "a" "#, "\u{FEFF}{}"] {
            XCTAssertEqual(field(text), "malformed", text.debugDescription)
        }
        XCTAssertEqual(field(#"{"name": "a", "name": "b"}"#), "name")
        XCTAssertEqual(field(#"[]"#), "body", "the body must be an object (422 on body)")
    }
}
