import Foundation
import TOMLKit

/// Typed access to one TOML table that remembers its key path for error messages.
struct TableReader {
    let table: TOMLTable
    let path: String

    private func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func allowOnly(_ keys: [String]) throws(ConfigError) {
        for key in table.keys where !keys.contains(key) {
            throw ConfigError(keyPath: keyPath(key), reason: "unknown key (known here: \(keys.joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else { throw ConfigError(keyPath: keyPath(key), reason: "must be a string") }
        return text
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw ConfigError(keyPath: keyPath(key), reason: "must be true or false") }
        return flag
    }

    func int(_ key: String) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let number = value.int else { throw ConfigError(keyPath: keyPath(key), reason: "must be a whole number") }
        return number
    }

    func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw ConfigError(keyPath: keyPath(key), reason: "must be a list of strings") }
        var out: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.string else {
                throw ConfigError(keyPath: "\(keyPath(key))[\(index)]", reason: "must be a string")
            }
            out.append(text)
        }
        return out
    }

    func table(_ key: String) throws(ConfigError) -> TableReader? {
        guard let value = table[key] else { return nil }
        guard let inner = value.table else {
            throw ConfigError(keyPath: keyPath(key), reason: "must be a table")
        }
        return TableReader(table: inner, path: keyPath(key))
    }

    func tables(_ key: String) throws(ConfigError) -> [TableReader]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw ConfigError(keyPath: keyPath(key), reason: "must be an array of tables ([[\(key)]])")
        }
        var out: [TableReader] = []
        for (index, element) in array.enumerated() {
            guard let inner = element.table else {
                throw ConfigError(keyPath: "\(keyPath(key))[\(index)]", reason: "must be a table")
            }
            out.append(TableReader(table: inner, path: "\(keyPath(key))[\(index)]"))
        }
        return out
    }

    /// A list of strings none of which is blank; `what` says what one should be.
    func nonEmptyStrings(_ key: String, what: String) throws(ConfigError) -> [String] {
        let values = try strings(key) ?? []
        for (index, value) in values.enumerated() where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigError(keyPath: "\(keyPath(key))[\(index)]", reason: "is empty; give \(what)")
        }
        return values
    }
}
