import Configuration
import Foundation
import Mail
import SMTP
import Tokens
import Yams

/// Reads `config/herald.yaml` strictly, lets `HERALD_*` environment variables override any key, and
/// validates every value. Every problem is one line naming where it is (`file:line` or the variable) and
/// the key, and means exit 78.
///
/// Yams reads the file (so unknown keys are found with their line); swift-configuration layers the
/// environment over the file's values, with secrets marked so they never print.
public struct ConfigurationLoader {
    struct FileValue {
        var text: String
        var line: Int
    }

    let path: String
    let environment: [String: String]
    private var fileValues: [String: FileValue] = [:]
    private let reader: ConfigReader

    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HeraldError) -> HeraldConfiguration {
        try ConfigurationLoader(path: path, environment: environment).configuration()
    }

    init(path: String, environment: [String: String]) throws(HeraldError) {
        self.path = path
        self.environment = environment.filter { !$0.value.isEmpty }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw HeraldError(.configuration, "\(path): configuration file \(exists ? "cannot be read" : "not found")")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HeraldError(.configuration, "\(path): the configuration file is not UTF-8 text")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw HeraldError(.configuration, "\(path): \(Self.describe(error))")
        } catch {
            throw HeraldError(.configuration, "\(path): \(error)")
        }
        if let root {
            guard case .mapping(let mapping) = root else {
                throw HeraldError(.configuration, "\(path):\(root.mark?.line ?? 1): the configuration must be a mapping of keys to values")
            }
            try Self.flatten(mapping, prefix: "", path: path, into: &fileValues)
        }
        var memory: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in fileValues {
            memory[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(.string(value.text), isSecret: ConfigurationKeys.secrets.contains(key))
        }
        // A misspelt variable would be ignored silently, and a misspelt secret would fall back to the file's.
        let known = Set(ConfigurationKeys.all.keys.map(ConfigurationKeys.environmentName) + [ConfigurationKeys.databasePassword])
        if let unknown = self.environment.keys.filter({ $0.hasPrefix("HERALD_") && !known.contains($0) }).sorted().first {
            throw HeraldError(.configuration, "\(unknown): unknown configuration variable; none of Herald's keys is spelt that way")
        }
        let secretVariables = Set(ConfigurationKeys.secrets.map(ConfigurationKeys.environmentName))
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: self.environment.filter { $0.key != ConfigurationKeys.databasePassword },
            secretsSpecifier: .specific(secretVariables)
        ).prefixKeys(with: "herald")
        self.reader = ConfigReader(providers: [environmentProvider, InMemoryProvider(name: path, values: memory)])
    }

    /// Line and problem only: Yams's own description quotes the offending source line, which may hold a secret.
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line): invalid YAML: \(problem)"
        case .reader(let problem, _, _, _):
            return "invalid YAML: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "invalid YAML: a key appears twice: \(duplicates.joined(separator: ", "))"
        default:
            return "invalid YAML"
        }
    }

    private static func flatten(_ mapping: Node.Mapping, prefix: String, path: String, into values: inout [String: FileValue]) throws(HeraldError) {
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line ?? 0
            guard let name = keyNode.string else {
                throw HeraldError(.configuration, "\(path):\(line): a key must be a plain name")
            }
            let key = prefix.isEmpty ? name : prefix + "." + name
            if ConfigurationKeys.sections.contains(key) {
                if valueNode.null != nil { continue }
                guard case .mapping(let section) = valueNode else {
                    throw HeraldError(.configuration, "\(path):\(line): '\(key)' must be a section of keys")
                }
                try flatten(section, prefix: key, path: path, into: &values)
                continue
            }
            guard let shape = ConfigurationKeys.all[key] else {
                throw HeraldError(.configuration, "\(path):\(line): unknown key '\(key)'")
            }
            if valueNode.null != nil { continue }
            switch (shape, valueNode) {
            case (.scalar, .scalar(let scalar)):
                values[key] = FileValue(text: scalar.string, line: line)
            case (.keyList, .sequence(let sequence)):
                var pairs: [String] = []
                for item in sequence {
                    let itemLine = item.mark?.line ?? line
                    guard case .mapping(let entry) = item, let id = entry["id"]?.string, let secret = entry["secret"]?.string,
                          entry.count == 2 else {
                        throw HeraldError(.configuration, "\(path):\(itemLine): \(key): each entry needs exactly 'id' and 'secret'")
                    }
                    guard !id.contains(":"), !id.contains(","), !secret.contains(",") else {
                        throw HeraldError(.configuration, "\(path):\(itemLine): \(key): ids and secrets may not contain ',' (nor ids ':')")
                    }
                    pairs.append(id + ":" + secret)
                }
                values[key] = FileValue(text: pairs.joined(separator: ","), line: line)
            case (.list, .scalar(let scalar)):
                values[key] = FileValue(text: scalar.string, line: line)
            case (.list, .sequence(let sequence)):
                var items: [String] = []
                for item in sequence {
                    guard let text = item.string, !text.contains(",") else {
                        throw HeraldError(.configuration, "\(path):\(item.mark?.line ?? line): \(key): each entry must be a plain value without ','")
                    }
                    items.append(text)
                }
                values[key] = FileValue(text: items.joined(separator: ","), line: line)
            default:
                let expected = shape == .keyList ? "a list of {id, secret}" : shape == .list ? "a list" : "a single value"
                throw HeraldError(.configuration, "\(path):\(line): \(key): expected \(expected)")
            }
        }
    }

    // MARK: - Reading one key

    /// Where a key's value comes from, for error messages: the variable that overrides it, or the file line.
    func origin(of key: String) -> String {
        let variable = ConfigurationKeys.environmentName(key)
        if environment[variable] != nil { return "\(variable) (\(key))" }
        if let value = fileValues[key] { return "\(path):\(value.line): \(key)" }
        return "\(path): \(key)"
    }

    func string(_ key: String) -> String? {
        let value = reader.string(forKey: ConfigKey(key), isSecret: ConfigurationKeys.secrets.contains(key))
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value.trimmingCharacters(in: .whitespaces)
    }

    func required(_ key: String) throws(HeraldError) -> String {
        guard let value = string(key) else { throw problem(key, "is required") }
        return value
    }

    func problem(_ key: String, _ message: String) -> HeraldError {
        HeraldError(.configuration, "\(origin(of: key)) \(message)")
    }

    func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(HeraldError) -> Int {
        guard let text = string(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw problem(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    func boolean(_ key: String, default fallback: Bool) throws(HeraldError) -> Bool {
        guard let text = string(key) else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem(key, "must be true or false, not '\(text)'")
        }
    }

    func duration(_ key: String, default fallback: Duration) throws(HeraldError) -> Duration {
        guard let text = string(key) else { return fallback }
        guard let value = DurationValue.parse(text) else {
            throw problem(key, "must be a duration such as 500ms, 30s, 5m, 4h or 5d, not '\(text)'")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(HeraldError) -> T where T.RawValue == String {
        guard let text = string(key) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw problem(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return value
    }

    func mailbox(_ key: String) throws(HeraldError) -> Mailbox? {
        guard let text = string(key) else { return nil }
        do { return try Mailbox(parsing: text) } catch { throw problem(key, "is not a valid address: \(error.reason)") }
    }
}
