import KefuCore
import KefuRuntime

/// Settings of the HTTP layer.
public struct APIConfiguration: Sendable {
    public static let defaultMaxBodyBytes = 1 << 20
    public var host: String
    public var port: Int
    public var maxBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = APIConfiguration.defaultMaxBodyBytes) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
    }

    public init(_ environment: KefuEnvironment) {
        self.init(host: environment.httpHost, port: environment.httpPort, maxBodyBytes: environment.maxBodyBytes)
    }
}
