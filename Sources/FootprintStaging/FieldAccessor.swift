import FootprintConfig
import FootprintInput

/// A compiled way to fetch one canonical column from a record: a CSV column index, a
/// JSON path, a template of those, or a constant. Compiled once per file so rows pay
/// only for array indexing and dictionary look-ups.
indirect enum FieldAccessor {
    case csvColumn(Int)
    case jsonPath([PathStep])
    case template([TemplatePiece])
    case constant(String)
    /// The first of several that has a value (`a|b`).
    case firstOf([FieldAccessor])
    case scaled(FieldAccessor, Double)
    case formatted(FieldAccessor, TimeFormat)
    case absent

    /// `key`, `[2]`, or `[key=page_location]`: the element of an array of objects whose
    /// `key` member is `page_location` (GA4's event_params, and similar key/value lists).
    enum PathStep: Equatable { case key(String), index(Int), select(field: String, equals: String) }
    enum TemplatePiece { case literal(String), field(FieldAccessor) }

    static func compile(_ source: FieldSource, header: [String: Int]?) -> FieldAccessor {
        switch source {
        case .constant(let value): return .constant(value)
        case .scaled(let inner, let factor): return .scaled(compile(inner, header: header), factor)
        case .formatted(let inner, let format): return .formatted(compile(inner, header: header), format)
        case .path(let path) where path.contains("|"):
            let choices = path.split(separator: "|").map { compilePath(String($0), header: header) }
            if choices.allSatisfy({ if case .absent = $0 { return true } else { return false } }) { return .absent }
            return .firstOf(choices)
        case .path(let path): return compilePath(path, header: header)
        case .template(let parts):
            // Placeholders filled in before compiling (`{host}`, `{@folder}`) can leave
            // only text: that is a constant, the same for every row.
            if parts.allSatisfy({ if case .literal = $0 { return true } else { return false } }) {
                return .constant(parts.map { if case .literal(let text) = $0 { return text } else { return "" } }.joined())
            }
            return .template(parts.map { part in
                switch part {
                case .literal(let text): return .literal(text)
                case .placeholder(let path): return .field(compilePath(path, header: header))
                }
            })
        }
    }

    static func compilePath(_ path: String, header: [String: Int]?) -> FieldAccessor {
        if let header {
            if let index = header[path] { return .csvColumn(index) }
            return .absent
        }
        return .jsonPath(parsePath(path))
    }

    /// `geo.country` → key geo, key country; `ll[0]` → key ll, index 0.
    static func parsePath(_ path: String) -> [PathStep] {
        var steps: [PathStep] = []
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(segment)
            if let bracket = rest.firstIndex(of: "[") {
                let name = rest[..<bracket]
                if !name.isEmpty { steps.append(.key(String(name))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    let inside = rest[rest.index(after: rest.startIndex)..<close]
                    if let index = Int(inside) {
                        steps.append(.index(index))
                    } else if let equals = inside.firstIndex(of: "=") {
                        steps.append(.select(field: String(inside[..<equals]), equals: String(inside[inside.index(after: equals)...])))
                    } else {
                        steps.append(.key(String(inside)))
                    }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                steps.append(.key(String(rest)))
            }
        }
        return steps
    }

    /// The value as trimmed text; nil when absent or empty.
    func value(in record: SourceRecord) -> String? {
        let text: String?
        switch self {
        case .absent: return nil
        case .constant(let value): text = value
        case .firstOf(let choices):
            for choice in choices { if let value = choice.value(in: record) { return value } }
            return nil
        case .scaled(let inner, let factor):
            guard let raw = inner.value(in: record), let number = Double(raw) else { return inner.value(in: record) }
            let scaled = number * factor
            text = scaled == scaled.rounded() && abs(scaled) < 1e15 ? String(Int64(scaled)) : String(scaled)
        case .formatted(let inner, let format):
            // A value that does not follow the format is passed on as it is: the
            // timestamp reader still takes the standard forms, and rejects anything
            // else with the value in the reason.
            guard let raw = inner.value(in: record) else { return nil }
            text = format.normalize(raw) ?? raw
        case .csvColumn(let index):
            guard case .csv(let fields) = record, index < fields.count else { return nil }
            text = fields[index]
        case .jsonPath(let steps):
            guard case .json(let object) = record else { return nil }
            text = Self.walk(object, steps)?.scalarText
        case .template(let pieces):
            var out = ""
            for piece in pieces {
                switch piece {
                case .literal(let literal): out += literal
                case .field(let accessor):
                    guard let value = accessor.value(in: record) else { return nil }
                    out += value
                }
            }
            text = out
        }
        guard let text else { return nil }
        let trimmed = text.trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `value(in:)`'s bytes, for look-ups that need no String: a CSV field is read in
    /// place (see CSVRow); other sources make the value's String first. `body` gets nil
    /// when the value is absent or empty, and the bytes are valid only inside it.
    func withTrimmedBytes<T>(in record: SourceRecord, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T {
        if case .csvColumn(let index) = self {
            guard case .csv(let row) = record, index < row.count else { return body(nil) }
            return row.withField(index) { field in
                let trimmed = field.trimmingASCIIWhitespace()
                return body(trimmed.isEmpty ? nil : trimmed)
            }
        }
        guard var text = value(in: record) else { return body(nil) }
        return text.withUTF8 { body($0) }
    }

    /// The value with the member at `steps` (object keys only) replaced, if present.
    /// The value with what `steps` reaches replaced, following the same steps as `walk`
    /// (keys, a dotted key as one, indexes, `[key=…]` selections); unchanged when the path
    /// leads nowhere.
    static func replacing(_ steps: [PathStep], in value: JSONValue, with replacement: JSONValue, atRoot: Bool = true) -> JSONValue {
        guard let first = steps.first else { return replacement }
        let rest = Array(steps.dropFirst())
        switch (first, value) {
        case (.key, .object(var members)):
            // As in walk: a dotted key is looked for at the root only.
            let joined = steps.compactMap { if case .key(let k) = $0 { return k } else { return nil } }
            if atRoot, steps.count > 1, joined.count == steps.count, members[joined.joined(separator: ".")] != nil {
                members[joined.joined(separator: ".")] = replacement
                return .object(members)
            }
            guard case .key(let key) = first, let inner = members[key] else { return value }
            members[key] = replacing(rest, in: inner, with: replacement, atRoot: false)
            return .object(members)
        case (.index(let index), .array(var elements)):
            guard index >= 0 && index < elements.count else { return value }
            elements[index] = replacing(rest, in: elements[index], with: replacement, atRoot: false)
            return .array(elements)
        case (.select(let field, let wanted), .array(var elements)):
            guard let index = elements.firstIndex(where: { $0[field]?.scalarText == wanted }) else { return value }
            elements[index] = replacing(rest, in: elements[index], with: replacement, atRoot: false)
            return .array(elements)
        default:
            return value
        }
    }

    static func walk(_ root: JSONValue, _ steps: [PathStep]) -> JSONValue? {
        // A key that itself contains dots ("geo.country" as one key) wins over the path.
        if steps.count > 1, case .object(let members) = root {
            let joined = steps.compactMap { if case .key(let k) = $0 { return k } else { return nil } }
            if joined.count == steps.count, let direct = members[joined.joined(separator: ".")] { return direct }
        }
        var current = root
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let members)):
                guard let next = members[key] else { return nil }
                current = next
            case (.index(let index), .array(let elements)):
                guard index >= 0 && index < elements.count else { return nil }
                current = elements[index]
            case (.select(let field, let wanted), .array(let elements)):
                guard let match = elements.first(where: { $0[field]?.scalarText == wanted }) else { return nil }
                current = match
            default: return nil
            }
        }
        return current
    }
}

import FootprintNormalize
