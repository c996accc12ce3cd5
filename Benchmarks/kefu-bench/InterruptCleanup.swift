import Dispatch
import Foundation

/// Stops the throwaway cluster when the run is interrupted (Ctrl-C, SIGTERM), so an aborted
/// benchmark does not leave a PostgreSQL server and its files behind.
enum InterruptCleanup {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers; `cleanup` runs once, then the process exits with 128 + signal.
    static func install(_ cleanup: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("kefu-bench: interrupted, stopping the cluster\n".utf8))
                cleanup()
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
