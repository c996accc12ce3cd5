import Foundation

/// The OpenAPI document (`docs/openapi.yaml`), served at `/openapi.yaml`.
public enum OpenAPIDocument {
    /// `KEFU_OPENAPI_PATH`, else the checkout's `docs/openapi.yaml`, else `/usr/share/kefu/openapi.yaml`.
    public static func location() -> URL? {
        if let path = ProcessInfo.processInfo.environment["KEFU_OPENAPI_PATH"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
        return [checkout, URL(fileURLWithPath: "/usr/share/kefu/openapi.yaml")]
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    public static func text() throws -> String {
        guard let url = location() else { throw CocoaError(.fileNoSuchFile) }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
