import NIOCore
import NIOSSL

/// Reads SMTP replies off the connection: lines ending in CRLF (a bare LF is taken too), folded
/// into one `SMTPReply` per final line. Each `next(timeout:)` answers the next reply, or fails
/// when none comes in time or the connection ends (the connection is then closed).
///
/// All state lives on the channel's event loop: `next` is called from there only.
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    /// Longest accepted line and most lines of one reply (a server that exceeds them is not
    /// speaking SMTP to us).
    static let maximumLineBytes = 4096
    static let maximumLines = 200

    private var pending: [UInt8] = []
    private var lines: [String] = []
    private var replies: [Result<SMTPReply, any Error>] = []
    private var waiter: (promise: EventLoopPromise<SMTPReply>, timeout: Scheduled<Void>)?
    private var closed = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<end])
            pending.removeSubrange(...end)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            take(line)
        }
        if pending.count > Self.maximumLineBytes { fail(.protocolViolation("a reply line longer than \(Self.maximumLineBytes) bytes")) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        fail(.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            fail(.tls("\(error)"))
        } else {
            fail(.connectionClosed)
        }
        context.close(promise: nil)
    }

    /// The next reply, within `timeout`.
    func next(timeout: TimeAmount, on loop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        loop.assertInEventLoop()
        if !replies.isEmpty {
            return loop.makeCompletedFuture(replies.removeFirst())
        }
        if closed { return loop.makeFailedFuture(SMTPError(.connectionClosed, step: "")) }
        let promise = loop.makePromise(of: SMTPReply.self)
        let timer = loop.scheduleTask(in: timeout) { [self] in
            guard let waiter, waiter.promise.futureResult === promise.futureResult else { return }
            self.waiter = nil
            promise.fail(SMTPError(.timeout, step: ""))
            context?.close(promise: nil)
        }
        waiter = (promise, timer)
        return promise.futureResult
    }

    private func take(_ bytes: [UInt8]) {
        let line = String(decoding: bytes, as: UTF8.self)
        let characters = Array(line.utf8)
        guard characters.count >= 3, let code = Int(String(line.prefix(3))), (200...599).contains(code),
            characters.count == 3 || characters[3] == UInt8(ascii: " ") || characters[3] == UInt8(ascii: "-")
        else {
            fail(.protocolViolation("not an SMTP reply: \(line.prefix(200))"))
            return
        }
        lines.append(characters.count > 4 ? String(decoding: characters[4...], as: UTF8.self) : "")
        if lines.count > Self.maximumLines {
            fail(.protocolViolation("a reply of more than \(Self.maximumLines) lines"))
            return
        }
        guard characters.count == 3 || characters[3] == UInt8(ascii: " ") else { return }
        deliver(.success(SMTPReply(code: code, lines: lines)))
        lines = []
    }

    private func fail(_ kind: SMTPError.Kind) {
        deliver(.failure(SMTPError(kind, step: "")))
        closed = true
        context?.close(promise: nil)
    }

    private func deliver(_ result: Result<SMTPReply, any Error>) {
        if let waiter {
            self.waiter = nil
            waiter.timeout.cancel()
            waiter.promise.completeWith(result)
        } else {
            replies.append(result)
        }
    }
}
