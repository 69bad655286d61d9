import Foundation

/// Machines for a test, as network namespaces (`ip netns`): each has its own loopback and one veth into a
/// bridge on the host, on a private /24 that exists only inside this sandbox. A process run through `inside`
/// reaches the host (its PostgreSQL, its SMTP server) only at `hostAddress`, as a worker on another machine
/// would; its 127.0.0.1 is its own. Nil when namespaces cannot be made here (no CAP_NET_ADMIN).
final class NetworkNamespaces {
    let names: [String]
    let hostAddress: String
    let subnet: String
    private let bridge: String

    init?(count: Int) {
        let tag = String(UInt32.random(in: 0..<100_000))
        let octet = Int.random(in: 10...250)
        bridge = "hbr\(tag)"
        hostAddress = "10.213.\(octet).1"
        subnet = "10.213.\(octet).0/24"
        names = (1...count).map { "herald-w\($0)-\(tag)" }
        var commands: [[String]] = [["link", "add", bridge, "type", "bridge"], ["addr", "add", hostAddress + "/24", "dev", bridge],
                                    ["link", "set", bridge, "up"]]
        for (index, name) in names.enumerated() {
            let veth = "hv\(index + 1)\(tag)"
            commands += [["netns", "add", name],
                         ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name],
                         ["link", "set", veth, "master", bridge, "up"],
                         ["-n", name, "addr", "add", "10.213.\(octet).\(index + 10)/24", "dev", "eth0"],
                         ["-n", name, "link", "set", "eth0", "up"],
                         ["-n", name, "link", "set", "lo", "up"]]
        }
        for command in commands {
            guard (try? Sandbox.run("/usr/sbin/ip", command))?.status == 0 else {
                remove()
                return nil
            }
        }
    }

    /// The command prefix that runs a program on machine `index`.
    func inside(_ index: Int) -> [String] { ["/usr/sbin/ip", "netns", "exec", names[index]] }

    func remove() {
        for name in names { _ = try? Sandbox.run("/usr/sbin/ip", ["netns", "del", name]) }
        _ = try? Sandbox.run("/usr/sbin/ip", ["link", "del", bridge])
    }
}
