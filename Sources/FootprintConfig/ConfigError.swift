/// A configuration problem, naming the key path so the user can find the line.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let keyPath: String
    public let reason: String
    public let file: String?

    public init(keyPath: String, reason: String, file: String? = nil) {
        self.keyPath = keyPath; self.reason = reason; self.file = file
    }

    public var description: String {
        let location = file.map { "\($0): " } ?? "config: "
        return keyPath.isEmpty ? "\(location)\(reason)" : "\(location)\(keyPath): \(reason)"
    }
}
