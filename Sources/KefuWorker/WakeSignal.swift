import Foundation

/// Lets a sleeping loop be woken early (by a NOTIFY) or by its timeout, whichever comes first.
/// Cancelling the waiting task wakes it too, so a loop stops promptly on graceful shutdown.
public final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false

    public init() {}

    /// Wakes the current or the next waiter.
    public func fire() {
        let continuation = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            guard let waiter else {
                pending = true
                return nil
            }
            self.waiter = nil
            return waiter
        }
        continuation?.resume()
    }

    /// Returns after `timeout`, when fired or when the task is cancelled, whichever is first.
    public func wait(timeout: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.fire()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock { () -> Bool in
                    if pending {
                        pending = false
                        return true
                    }
                    waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            fire()
        }
        timer.cancel()
        lock.withLock { pending = false }
    }
}
