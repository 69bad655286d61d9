/// The command line as the user typed it, made into the shape ArgumentParser reads.
enum CommandLineArguments {
    /// Options every command takes, which may also stand before the subcommand (`herald --config FILE init`, as
    /// `git -C` and `kubectl --kubeconfig` take theirs). ArgumentParser reads options only where they are
    /// declared, so these move to the end, where every subcommand's `GlobalOptions` finds them.
    static let globalOptionsWithValue: Set<String> = ["--config"]

    static func normalized(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if globalOptionsWithValue.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if let name = argument.split(separator: "=", maxSplits: 1).first, argument.contains("="),
                      globalOptionsWithValue.contains(String(name)) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        let rest = Array(arguments[index...])
        // `herald --config FILE` alone, or before --help: nothing to move the option behind.
        guard !leading.isEmpty, let first = rest.first, !first.hasPrefix("-") else { return leading + rest }
        return rest + leading
    }

    /// The first word, when it names no command: `herald frobnicate`.
    static func unknownCommand(in arguments: [String], known: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !known.contains(first) else { return nil }
        return first
    }

    /// The known name closest to `word` (edit distance), if it is close enough to be a likely typo.
    static func nearest(to word: String, among names: [String]) -> String? {
        let scored = names.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        guard let (name, distance) = scored, distance <= max(2, word.count / 2) else { return nil }
        return name
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
