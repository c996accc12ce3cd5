import Foundation

/// Runs a program to completion on a thread of its own (never on the cooperative pool) and
/// returns its exit status and combined output.
///
/// The child starts with an empty signal mask and default signal handlers. Threads of the
/// Swift concurrency pool block nearly every signal and `posix_spawn` passes the mask on, so a
/// child spawned plainly (Foundation's `Process` included) never sees `SIGALRM`: pgbench's
/// `-T` timer then never fires and the run goes on forever.
enum ChildCommand {
    struct Outcome: Sendable {
        /// The exit status, or 128 + the signal number when a signal ended it.
        var status: Int32
        var output: String
        /// The child's CPU time and context switches.
        var cost: ClientCost
    }

    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(executable.path, arguments, environment: environment) })
            }
            thread.name = "kefu-bench-child"
            thread.start()
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Outcome {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw POSIXError(errno) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(writeEnd)
        guard spawned == 0 else { throw POSIXError(spawned) }

        // Read to end-of-file before waiting: a child blocked on a full pipe would never exit.
        let output = FileHandle(fileDescriptor: readEnd, closeOnDealloc: false).readDataToEndOfFile()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 {
            guard errno == EINTR else { throw POSIXError(errno) }
        }
        // WIFEXITED/WEXITSTATUS are macros; decode the wait status by hand.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: code, output: String(decoding: output, as: UTF8.self), cost: ClientCost(usage))
    }
}

extension POSIXError {
    /// The error for an `errno` value.
    init(_ number: Int32) {
        self.init(POSIXErrorCode(rawValue: number) ?? .EIO)
    }
}
