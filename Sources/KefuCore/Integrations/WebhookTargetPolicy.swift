import Foundation

/// Where webhooks may point (SSRF): `https` URLs whose host resolves only to public addresses
/// (`IPAddress.isPublic`), checked when a webhook is written and again before every attempt (a
/// name may be pointed elsewhere later). Hosts on the deployment's allow-list
/// (`KEFU_WEBHOOK_ALLOWED_HOSTS`, for development) may also be `http` and private.
public struct WebhookTargetPolicy: Sendable {
    /// Lower-case host names or address literals exempt from the public-address rule.
    public var allowedHosts: Set<String>

    public init(allowedHosts: Set<String> = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    /// Reads `KEFU_WEBHOOK_ALLOWED_HOSTS` (comma-separated hosts; empty entries ignored).
    public init(allowList: String?) {
        self.init(allowedHosts: Set((allowList ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
    }

    /// The URL's shape: absolute `https` (or `http` to an allowed host), a host, no user
    /// information, no fragment. Throws `invalidField(field, …)`.
    public func checkShape(_ text: String, field: String = "url") throws -> URLComponents {
        guard text.count <= 2000, let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty
        else { throw KefuError.invalidField(field, "must be an absolute http(s) URL with a host") }
        let allowed = allowedHosts.contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && allowed) else {
            throw KefuError.invalidField(field, "must use https (http only to a host in KEFU_WEBHOOK_ALLOWED_HOSTS)")
        }
        guard url.user == nil && url.password == nil else { throw KefuError.invalidField(field, "must not carry credentials") }
        guard url.fragment == nil else { throw KefuError.invalidField(field, "must not have a fragment") }
        return url
    }

    /// The shape, then the host's addresses: every one must be public unless the host is allowed.
    public func check(_ text: String, field: String = "url") async throws {
        let url = try checkShape(text, field: field)
        try await checkHost(url.host ?? "", field: field)
    }

    /// The host's addresses (a webhook's, a mail relay's): every one must be public unless the
    /// host is allowed.
    public func checkHost(_ host: String, field: String) async throws {
        if allowedHosts.contains(host.lowercased()) { return }
        let addresses: [IPAddress]
        do {
            addresses = try await HostResolver.addresses(of: host)
        } catch {
            throw KefuError.invalidField(field, "host \(host) does not resolve")
        }
        if let blocked = addresses.first(where: { !$0.isPublic }) {
            throw KefuError.invalidField(field, "host \(host) resolves to \(blocked), which is not a public address")
        }
    }
}
