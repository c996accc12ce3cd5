import Foundation

/// Resolves a host name to its addresses with the system resolver (`getaddrinfo`), on a thread
/// of its own so that the blocking call never holds a cooperative or event-loop thread.
public enum HostResolver {
    /// The host's addresses (an address literal resolves to itself); throws when it has none.
    public static func addresses(of host: String) async throws -> [IPAddress] {
        if let literal = IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) { return [literal] }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try resolve(host) })
            }
        }
    }

    /// The failure of a resolution: the host has no address (or the resolver failed).
    public struct Failure: Error, CustomStringConvertible {
        public let host: String
        public let reason: String
        public var description: String { "\(host) does not resolve: \(reason)" }
    }

    private static func resolve(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else { throw Failure(host: host, reason: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                }
                if let address = IPAddress(bytes: bytes) { addresses.append(address) }
            case AF_INET6:
                let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
                if let address = IPAddress(bytes: bytes) { addresses.append(address) }
            default:
                continue
            }
        }
        guard !addresses.isEmpty else { throw Failure(host: host, reason: "no address") }
        return addresses
    }
}
