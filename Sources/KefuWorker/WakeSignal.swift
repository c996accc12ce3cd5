import Foundation

/// Lets a sleeping loop be woken early (by a NOTIFY) or by its timeout, whichever comes first.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false

    /// Wakes the current or the next waiter.
    func fire() {
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

    /// Returns after `timeout` or when fired, whichever is first.
    func wait(timeout: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.fire()
        }
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
        timer.cancel()
        lock.withLock { pending = false }
    }
}
