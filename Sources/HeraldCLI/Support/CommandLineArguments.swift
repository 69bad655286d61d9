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

    /// A word where a command's name belongs that names none: `herald frobnicate`, `herald staff ad`.
    struct UnknownCommand: Equatable {
        /// What was typed.
        var word: String
        /// The command it was given to: `["herald", "staff"]`.
        var path: [String]
        /// The nearest of that command's subcommands, when it is close enough to be a likely typo.
        var suggestion: String?

        /// `unknown command 'ad' for 'herald staff'; did you mean 'add'? (see herald staff --help)`; for the
        /// top level, without "for 'herald'".
        var message: String {
            let command = path.joined(separator: " ")
            return "unknown command '\(word)'" + (path.count > 1 ? " for '\(command)'" : "")
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (see \(command) --help)"
        }
    }

    /// Follows the words that name commands from the top (`herald`): the first that names none of its command's
    /// subcommands, while that command has subcommands. `subcommands(path)` names a command's subcommands
    /// (`help` included), empty for a command that runs, or nil for one that takes other words there (a default
    /// subcommand). An option ends the search: ArgumentParser's own errors name what is wrong after it.
    static func unknownCommand(in arguments: [String], root: String, subcommands: ([String]) -> [String]?) -> UnknownCommand? {
        var path = [root]
        for word in arguments {
            guard let names = subcommands(path), !names.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            guard names.contains(word) else {
                return UnknownCommand(word: word, path: path, suggestion: nearest(to: word, among: names))
            }
            path.append(word)
        }
        return nil
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
