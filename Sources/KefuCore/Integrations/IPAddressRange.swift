import Foundation

/// An IP address as bytes (4 for IPv4, 16 for IPv6), and whether it belongs to the public
/// internet. Webhook targets must (`WebhookTargetPolicy`): a tenant-supplied URL must never reach
/// the deployment's own network.
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted IPv4 or textual IPv6 (`inet_pton`).
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// False for loopback, private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254
    /// included), unspecified, documentation, benchmarking, multicast and reserved addresses, and
    /// IPv6 unique-local, link-local, multicast, and IPv4-mapped / NAT64 forms of any of those.
    public var isPublic: Bool {
        if bytes.count == 4 { return !Self.blockedV4.contains { $0.contains(bytes) } }
        // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff
            || bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        {
            return IPAddress(bytes: Array(bytes[12..<16]))?.isPublic ?? false
        }
        return !Self.blockedV6.contains { $0.contains(bytes) }
    }

    /// A network: the first `prefix` bits of `base`.
    struct Network: Sendable {
        let base: [UInt8]
        let prefix: Int

        init(_ text: String, _ prefix: Int) {
            self.base = IPAddress(text)!.bytes
            self.prefix = prefix
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == base.count else { return false }
            var bits = prefix
            for index in 0..<base.count where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
                if address[index] & mask != base[index] & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    static let blockedV4: [Network] = [
        Network("0.0.0.0", 8), Network("10.0.0.0", 8), Network("100.64.0.0", 10), Network("127.0.0.0", 8),
        Network("169.254.0.0", 16), Network("172.16.0.0", 12), Network("192.0.0.0", 24), Network("192.0.2.0", 24),
        Network("192.88.99.0", 24), Network("192.168.0.0", 16), Network("198.18.0.0", 15), Network("198.51.100.0", 24),
        Network("203.0.113.0", 24), Network("224.0.0.0", 4), Network("240.0.0.0", 4),
    ]

    static let blockedV6: [Network] = [
        Network("::", 128), Network("::1", 128), Network("100::", 64), Network("2001:db8::", 32), Network("fc00::", 7),
        Network("fe80::", 10), Network("fec0::", 10), Network("ff00::", 8),
    ]
}
