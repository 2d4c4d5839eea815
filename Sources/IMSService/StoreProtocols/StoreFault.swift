import IMSModel

/// How a store says its database failed it, in words a client may read (each dialect's 503).
/// Two kinds, because a retry is safe after one and not always after the other: a command the
/// database never received can run again whatever it is, while a connection lost mid-statement
/// may have committed it. `DeadlineBackend` retries by these.
package enum StoreFault {
    /// Nothing of the command reached the database (no connection, or one refused before the
    /// first statement of the command).
    package static let unreached = CanonicalError.unavailable("the database could not be reached; try again shortly")
    /// The connection went while the command was running: it may or may not have taken effect.
    package static let lost = CanonicalError.unavailable("the database connection was lost; try again shortly")
    /// No answer within the backend's request timeout (a stalled database, a pool with no free
    /// connection): the command may still take effect when the database wakes up.
    package static let timedOut = CanonicalError.unavailable("the database did not answer in time; try again shortly")

    /// One of the above: the database, not the command, failed.
    package static func isTransient(_ error: CanonicalError) -> Bool {
        error == unreached || error == lost || error == timedOut
    }
}
