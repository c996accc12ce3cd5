import Foundation
import KefuPostgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive files: written, fsynced and named durably, never replacing one that exists.
extension PartitionArchive {
    /// Runs `statement` (a `COPY <partition> TO STDOUT (FORMAT csv, HEADER)`) into `file`
    /// (created 0600: it holds personal data), fsynced; returns the rows copied.
    static func copy(_ statement: String, tx: PostgresTransaction, to file: URL) async throws -> Int {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Refusal(description: "cannot create \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let copied = try await tx.copyOut(statement) { chunk in
            try writeAll(descriptor, chunk, path: file.path)
        }
        guard fsync(descriptor) == 0 else { throw Refusal(description: "cannot fsync \(file.path): \(String(cString: strerror(errno)))") }
        return copied
    }

    private static func writeAll(_ descriptor: Int32, _ chunk: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < chunk.count {
            let written = write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Refusal(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Gives `temporary` the name `final` unless that exists (a hard link fails then, where
    /// rename would replace), then makes the new name durable.
    static func moveWithoutReplacing(_ temporary: URL, to final: URL) throws {
        guard link(temporary.path, final.path) == 0 else {
            throw Refusal(description: "cannot create \(final.path): \(String(cString: strerror(errno)))")
        }
        unlink(temporary.path)
        try syncDirectory(final.deletingLastPathComponent())
    }

    static func syncDirectory(_ directory: URL) throws {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Refusal(description: "cannot open \(directory.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Refusal(description: "cannot fsync \(directory.path): \(String(cString: strerror(errno)))") }
    }
}
