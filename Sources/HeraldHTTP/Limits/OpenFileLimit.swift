#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Each connection is a file descriptor. Under the usual soft limit of 1024, `http.max_connections` (1000 by
/// default) plus the database's files would make accept fail before the cap is reached, and then every new
/// connection, `/healthz` too, waits. The soft limit is raised as far as the hard limit allows.
enum OpenFileLimit {
    /// Descriptors beside the connections: database, its journal and WAL, templates, the event loops' own.
    static let reserve = 256

    /// Raises the soft limit to fit `connections`; returns the limit now in force, or nil when it is unknown.
    @discardableResult
    static func raise(toFit connections: Int) -> Int? {
        var limit = rlimit()
        guard getrlimit(resourceLimit, &limit) == 0 else { return nil }
        let wanted = rlim_t(clamping: connections + reserve)
        guard limit.rlim_cur < wanted else { return Int(clamping: limit.rlim_cur) }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        guard setrlimit(resourceLimit, &limit) == 0 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    #if canImport(Glibc)
    private static var resourceLimit: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
    #else
    private static var resourceLimit: Int32 { RLIMIT_NOFILE }
    #endif
}
