/// The executor the request being answered runs on: the task executor over its connection's event loop, set by the
/// server for the request loop and each command's task.
///
/// A task a service starts on behalf of a request (a batch of gets sent for several connections) starts there too,
/// instead of on Swift's global pool: an unstructured task does not inherit its creator's executor preference, and
/// a hop to the global pool costs a thread wake-up each way (issue 13). Nil outside a server (the CLI, tests).
public enum RequestExecutor {
    /// The current request's executor, if any.
    @TaskLocal public static var current: (any TaskExecutor)?
}
