import Foundation
import XCTest

@testable import KefuCore

/// No setting exists without behaviour: every key of the settings document is read by the code
/// that acts on it, and the API document lists exactly the keys the code has.
final class SettingsSchemaTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every key of the settings document, e.g. `sla.missing_info_request_minutes` or `locale`
    /// (an object of arrays, such as `business_hours`, is one key).
    static func codeKeys() throws -> Set<String> {
        func leaves(_ value: JSONValue, _ path: [String]) -> [String] {
            guard case .object(let fields) = value, !fields.isEmpty,
                !fields.values.allSatisfy({ if case .array = $0 { true } else { false } })
            else { return [path.joined(separator: ".")] }
            return fields.flatMap { leaves($0.value, path + [$0.key]) }
        }
        return Set(leaves(try JSONValue.from(TenantSettings()), []))
    }

    /// The Swift property that holds a key: the camelCase of its last segment (a priority's
    /// `p1` … `p4` stands for its parent, read by priority).
    static func property(of key: String) -> String {
        let segments = key.split(separator: ".").map(String.init)
        let last =
            segments.last.map { $0.range(of: "^p[1-4]$", options: .regularExpression) != nil } == true
            ? segments[segments.count - 2] : segments.last ?? key
        let words = last.split(separator: "_")
        return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
    }

    /// The Swift sources that may read settings: every file but the ones that only declare or
    /// bound them (`TenantSettings`' declarations are `var name`, never `.name`).
    static func sources() throws -> String {
        let directory = root.appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
        var text = ""
        for case let file as URL in files where file.pathExtension == "swift" {
            guard !["SettingRanges.swift", "SettingLimits.swift"].contains(file.lastPathComponent) else { continue }
            text += try String(contentsOf: file, encoding: .utf8) + "\n"
        }
        return text
    }

    /// A key no code reads (as `settings.sla.customerContactMinutes`, `self.holidays` …) fails.
    func testEverySettingIsReadByCode() throws {
        let sources = try Self.sources()
        let keys = try Self.codeKeys()
        XCTAssertGreaterThan(keys.count, 20)
        for key in keys.sorted() {
            let reader = "\\.\(Self.property(of: key))\\b"
            XCTAssertNotNil(sources.range(of: reader, options: .regularExpression), "setting \(key) is read by no code (\(reader))")
        }
    }

    /// The test above really fails for a dead key.
    func testADeadKeyIsFound() throws {
        let sources = try Self.sources()
        XCTAssertNil(sources.range(of: "\\.\(Self.property(of: "sla.never_read_minutes"))\\b", options: .regularExpression))
        XCTAssertEqual(Self.property(of: "sla.plan_minutes.p3"), "planMinutes")
        XCTAssertEqual(Self.property(of: "sla.missing_info_request_minutes"), "missingInfoRequestMinutes")
    }

    /// `docs/openapi.yaml`'s `TenantSettings` schema lists the code's keys, no more, no fewer.
    func testTheAPIDocumentListsTheSameKeys() throws {
        let document = try String(contentsOf: Self.root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        XCTAssertEqual(try Self.documentedKeys(document, schema: "TenantSettings"), try Self.codeKeys())
    }

    /// The property paths of a schema of `components/schemas` (4-space indented names), its
    /// `$ref`s to other schemas followed.
    static func documentedKeys(_ document: String, schema: String) throws -> Set<String> {
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try XCTUnwrap(lines.firstIndex(of: "    \(schema):"), "no schema \(schema)")
        let body = lines[(start + 1)...].prefix { $0.hasPrefix("     ") || $0.isEmpty }
        var keys: Set<String> = []
        // Every enclosing line (indentation, name), and the enclosing properties among them.
        var enclosing: [(Int, String)] = []
        var properties: [(Int, String)] = []
        for line in body {
            guard let match = line.range(of: "^ *[a-z_0-9$]+:", options: .regularExpression) else { continue }
            let indent = line.prefix { $0 == " " }.count
            let name = String(line[match].dropLast().drop { $0 == " " })
            while let last = enclosing.last, last.0 >= indent { enclosing.removeLast() }
            while let last = properties.last, last.0 >= indent { properties.removeLast() }
            let isProperty = enclosing.last?.1 == "properties"
            enclosing.append((indent, name))
            guard isProperty else { continue }
            let path = properties.map(\.1) + [name]
            properties.append((indent, name))
            if let ref = line.range(of: "#/components/schemas/[A-Za-z]+", options: .regularExpression) {
                let target = String(line[ref].split(separator: "/").last ?? "")
                keys.formUnion(try documentedKeys(document, schema: target).map { (path + [$0]).joined(separator: ".") })
            } else {
                keys.insert(path.joined(separator: "."))
            }
        }
        // A property with properties of its own is a group, not a key.
        return keys.filter { key in !keys.contains { $0.hasPrefix(key + ".") } }
    }
}
