import Foundation
import TOMLKit

/// Reads CONTRACT.md section 4's TOML into a `FootprintConfig`. Every unknown key and
/// every bad value is an error that names its key path; nothing is silently ignored.
public enum ConfigLoader {
    public static func load(path: String) throws(ConfigError) -> FootprintConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(keyPath: "", reason: "cannot read the file (does it exist?)", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(keyPath: "", reason: "is not UTF-8 text", file: path)
        }
        do {
            return try parse(text)
        } catch {
            throw ConfigError(keyPath: error.keyPath, reason: error.reason, file: path)
        }
    }

    public static func parse(_ text: String) throws(ConfigError) -> FootprintConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(keyPath: "", reason: "not valid TOML at line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError(keyPath: "", reason: "not valid TOML: \(error)")
        }
        var config = FootprintConfig()
        let reader = TableReader(table: root, path: "")
        try reader.allowOnly(["timezone", "properties", "brands", "referrers", "perception", "inputs",
                              "csv_bom", "hash_key", "session_timeout_minutes", "limits", "privacy", "geoip_database", "bot_patterns", "utm_sources",
                              "spam_referrers", "not_spam_referrers", "goals", "topics", "vips", "influencers_top"])
        if let zone = try reader.string("timezone") {
            guard TimeZone(identifier: zone) != nil else {
                throw ConfigError(keyPath: "timezone", reason: "'\(zone)' is not an IANA time zone name (e.g. \"Europe/Berlin\")")
            }
            config.timezone = zone
        }
        if let bom = try reader.bool("csv_bom") { config.csvBom = bom }
        if let patterns = try reader.strings("bot_patterns") {
            for (index, pattern) in patterns.enumerated() {
                if (try? NSRegularExpression(pattern: pattern)) == nil {
                    throw ConfigError(keyPath: "bot_patterns[\(index)]", reason: "'\(pattern)' is not a valid regular expression")
                }
                if RegexText.hasNestedRepetition(pattern) {
                    throw ConfigError(keyPath: "bot_patterns[\(index)]", reason: "'\(pattern)' repeats a group that itself repeats or alternates (like (a+)+ or (a|ab)*), which can take minutes on one user agent; write it without the outer repetition")
                }
            }
            config.botPatterns = patterns
        }
        for (key, keyPath) in [(\FootprintConfig.spamReferrers, "spam_referrers"), (\.notSpamReferrers, "not_spam_referrers")] {
            guard let domains = try reader.strings(keyPath) else { continue }
            for (index, domain) in domains.enumerated() where !domain.contains(".") || !domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
                throw ConfigError(keyPath: "\(keyPath)[\(index)]", reason: "'\(domain)' is not a domain name such as \"semalt.com\"")
            }
            config[keyPath: key] = domains.map { $0.lowercased() }
        }
        if let geoip = try reader.string("geoip_database") {
            guard FileManager.default.isReadableFile(atPath: geoip) else {
                throw ConfigError(keyPath: "geoip_database", reason: "cannot read '\(geoip)' (a .mmdb file such as GeoLite2-City.mmdb)")
            }
            config.geoipDatabase = geoip
        }
        if let key = try reader.string("hash_key") {
            guard key.count >= 32, key.allSatisfy(\.isHexDigit) else {
                throw ConfigError(keyPath: "hash_key", reason: "must be at least 32 hex digits (e.g. from `openssl rand -hex 32`)")
            }
            config.hashKey = key.lowercased()
        }
        if let minutes = try reader.int("session_timeout_minutes") {
            guard minutes > 0 && minutes <= 24 * 60 else {
                throw ConfigError(keyPath: "session_timeout_minutes", reason: "must be between 1 and 1440")
            }
            config.sessionTimeoutMinutes = minutes
        }
        if let properties = try reader.table("properties") {
            for key in properties.table.keys {
                guard let name = try properties.string(key), !name.isEmpty else {
                    throw ConfigError(keyPath: "properties.\(key)", reason: "must be a non-empty property name")
                }
                config.properties[normalizedHost(key)] = name
            }
        }
        if let sources = try reader.table("utm_sources") {
            for key in sources.table.keys {
                guard let domain = try sources.string(key), !domain.isEmpty else {
                    throw ConfigError(keyPath: "utm_sources.\(key)", reason: "must be the referring domain this utm_source stands for")
                }
                config.utmSources[key] = domain
            }
        }
        if let referrers = try reader.table("referrers") {
            for key in referrers.table.keys {
                let allowed = ["direct", "search", "social", "news", "email", "shortener", "owned", "web"]
                guard let category = try referrers.string(key), allowed.contains(category) else {
                    throw ConfigError(keyPath: "referrers.\(key)", reason: "must be one of \(allowed.joined(separator: ", "))")
                }
                config.referrers[normalizedHost(key)] = category
            }
        }
        config.brands = try readBrands(reader)
        if let perception = try reader.table("perception") {
            try perception.allowOnly(["current", "aspired"])
            config.perception = Perception(current: try perception.strings("current") ?? [],
                                           aspired: try perception.strings("aspired") ?? [])
        }
        config.inputs = try readInputs(reader)
        config.goals = try readGoals(reader)
        config.topics = try readTopics(reader)
        if let vips = try reader.table("vips") {
            try vips.allowOnly(["min_comments"])
            if let count = try vips.int("min_comments") {
                guard (1...10_000).contains(count) else {
                    throw ConfigError(keyPath: "vips.min_comments", reason: "must be a whole number from 1 to 10000")
                }
                config.vipMinComments = count
            }
        }
        if let top = try reader.int("influencers_top") {
            guard (1...1_000_000).contains(top) else {
                throw ConfigError(keyPath: "influencers_top", reason: "must be a whole number from 1 to 1000000")
            }
            config.influencersTop = top
        }
        if let privacy = try reader.table("privacy") {
            try privacy.allowOnly(["file_mode", "keep_unredacted_rejects", "show_actor_handles"])
            if let text = try privacy.string("file_mode") {
                guard let mode = UInt16(text, radix: 8), mode & 0o600 == 0o600, mode <= 0o666 else {
                    throw ConfigError(keyPath: "privacy.file_mode", reason: "must be octal text such as \"0600\" or \"0640\", readable and writable by the owner, without execute bits")
                }
                config.privacy.fileMode = mode
            }
            if let keep = try privacy.bool("keep_unredacted_rejects") { config.privacy.keepUnredactedRejects = keep }
            if let show = try privacy.bool("show_actor_handles") { config.privacy.showActorHandles = show }
        }
        if let limits = try reader.table("limits") {
            try limits.allowOnly(["max_record_bytes", "max_file_bytes", "max_rows_per_file", "earliest_year", "future_tolerance_hours"])
            // Bounded, not only positive: an extreme value (future_tolerance_hours =
            // 5000000000000000) overflowed the arithmetic it feeds and crashed the run.
            func bounded(_ key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int? {
                guard let value = try limits.int(key) else { return nil }
                guard range.contains(value) else {
                    throw ConfigError(keyPath: "limits.\(key)", reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                }
                return value
            }
            if let value = try bounded("max_record_bytes", 64...(1 << 30)) { config.limits.maxRecordBytes = value }
            if let value = try bounded("max_file_bytes", 1...(1 << 50)) { config.limits.maxFileBytes = value }
            if let value = try bounded("max_rows_per_file", 1...1_000_000_000_000) { config.limits.maxRowsPerFile = value }
            if let value = try bounded("earliest_year", 1900...9999) { config.limits.earliestYear = value }
            if let value = try bounded("future_tolerance_hours", 0...876_600) { config.limits.futureToleranceHours = value }
        }
        return config
    }

    public static func normalizedHost(_ host: String) -> String {
        var h = host.lowercased()
        if h.hasPrefix("www.") { h.removeFirst(4) }
        return h
    }

    private static func readBrands(_ reader: TableReader) throws(ConfigError) -> [Brand] {
        guard let entries = try reader.tables("brands") else { return [] }
        var brands: [Brand] = []
        for entry in entries {
            try entry.allowOnly(["name", "self", "aliases", "domains", "accounts"])
            guard let name = try entry.string("name"), !name.isEmpty else {
                throw ConfigError(keyPath: "\(entry.path).name", reason: "every brand needs a name")
            }
            let aliases = try entry.strings("aliases") ?? [name]
            brands.append(Brand(name: name, isSelf: try entry.bool("self") ?? false,
                                aliases: aliases.isEmpty ? [name] : aliases,
                                domains: (try entry.strings("domains") ?? []).map(normalizedHost),
                                accounts: try entry.nonEmptyStrings("accounts", what: "an actor id as the group exports give it")))
        }
        let selfCount = brands.filter(\.isSelf).count
        if selfCount != 1 {
            throw ConfigError(keyPath: "brands", reason: "exactly one brand must have self = true (found \(selfCount))")
        }
        return brands
    }

    /// `[[goals]]`: each a unique name and at least one page pattern.
    private static func readGoals(_ reader: TableReader) throws(ConfigError) -> [Goal] {
        guard let entries = try reader.tables("goals") else { return [] }
        var goals: [Goal] = []
        for entry in entries {
            try entry.allowOnly(["name", "pages"])
            let name = try uniqueName(entry, taken: goals.map(\.name), what: "goal")
            let pages = try pagePatterns(entry)
            guard !pages.isEmpty else {
                throw ConfigError(keyPath: "\(entry.path).pages", reason: "a goal needs at least one page, e.g. pages = [\"https://acme.example/newsletter/thanks\"]")
            }
            goals.append(Goal(name: name, pages: pages))
        }
        guard goals.count <= 63 else {
            throw ConfigError(keyPath: "goals", reason: "at most 63 goals (found \(goals.count)): each is a bit of a visit's record")
        }
        return goals
    }

    /// `[[topics]]`: a unique name, and pages, keywords or both.
    private static func readTopics(_ reader: TableReader) throws(ConfigError) -> [Topic] {
        guard let entries = try reader.tables("topics") else { return [] }
        var topics: [Topic] = []
        for entry in entries {
            try entry.allowOnly(["name", "pages", "keywords"])
            let name = try uniqueName(entry, taken: topics.map(\.name), what: "topic")
            let pages = try pagePatterns(entry)
            let keywords = try entry.nonEmptyStrings("keywords", what: "a word or phrase such as \"supply chain\"")
            guard !pages.isEmpty || !keywords.isEmpty else {
                throw ConfigError(keyPath: entry.path, reason: "a topic needs pages (its content items), keywords (words that mention it), or both")
            }
            topics.append(Topic(name: name, pages: pages, keywords: keywords))
        }
        return topics
    }

    private static func uniqueName(_ entry: TableReader, taken: [String], what: String) throws(ConfigError) -> String {
        guard let name = try entry.string("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError(keyPath: "\(entry.path).name", reason: "every \(what) needs a name")
        }
        guard !taken.contains(name) else {
            throw ConfigError(keyPath: "\(entry.path).name", reason: "another \(what) is already named '\(name)'")
        }
        return name
    }

    /// Page patterns: absolute URLs (a scheme is optional) where `*` matches any run of characters.
    private static func pagePatterns(_ entry: TableReader) throws(ConfigError) -> [String] {
        let pages = try entry.nonEmptyStrings("pages", what: "a page URL such as \"https://acme.example/demo\"")
        for (index, page) in pages.enumerated() {
            var rest = Substring(page)
            if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
            let host = rest.prefix { $0 != "/" && $0 != "?" }
            guard host.contains("."), !page.contains(where: \.isWhitespace) else {
                throw ConfigError(keyPath: "\(entry.path).pages[\(index)]", reason: "'\(page)' is not a page URL such as \"https://acme.example/demo\" (* matches any run of characters)")
            }
        }
        return pages
    }

    private static func readInputs(_ reader: TableReader) throws(ConfigError) -> [InputSpec] {
        guard let entries = try reader.tables("inputs") else { return [] }
        var specs: [InputSpec] = []
        for entry in entries {
            try entry.allowOnly(["match", "kind", "format", "fields", "where", "preset", "host", "ignore"])
            guard let match = try entry.string("match"), !match.isEmpty else {
                throw ConfigError(keyPath: "\(entry.path).match", reason: "needs a file-name glob such as \"usagov_*\"")
            }
            var spec = InputSpec(match: match)
            if let name = try entry.string("preset") {
                guard let preset = Presets.spec(named: name) else {
                    throw ConfigError(keyPath: "\(entry.path).preset", reason: "no preset '\(name)' (known: \(Presets.names.joined(separator: ", ")))")
                }
                spec = preset
                spec.match = match
            }
            if let ignore = try entry.bool("ignore") {
                spec.ignore = ignore
                if ignore && entry.table.keys.contains(where: { !["match", "ignore"].contains($0) }) {
                    throw ConfigError(keyPath: "\(entry.path).ignore", reason: "an entry that ignores files takes only match and ignore")
                }
            }
            if let host = try entry.string("host") { spec.host = normalizedHost(host) }
            if let filters = try entry.table("where") {
                for key in filters.table.keys {
                    guard let wanted = try filters.string(key) else {
                        throw ConfigError(keyPath: "\(filters.path).\(key)", reason: "must be the text the value must equal")
                    }
                    spec.filters[key] = wanted
                }
            }
            if let kind = try entry.string("kind") {
                guard let parsed = EventKind(rawValue: kind) else {
                    throw ConfigError(keyPath: "\(entry.path).kind", reason: "must be web, clicks, groups, subscribers or outcomes")
                }
                spec.kind = parsed
            }
            if let format = try entry.string("format") {
                guard let parsed = InputFormat(rawValue: format) else {
                    throw ConfigError(keyPath: "\(entry.path).format", reason: "must be csv, jsonl, jsonarray or accesslog")
                }
                spec.format = parsed
            }
            if let fields = try entry.table("fields") {
                let known = Set(spec.kind.map(CanonicalColumns.all) ?? EventKind.allCases.flatMap(CanonicalColumns.all))
                for key in fields.table.keys {
                    guard known.contains(key) else {
                        throw ConfigError(keyPath: "\(fields.path).\(key)", reason: "is not a canonical column\(spec.kind.map { " of \($0.rawValue)" } ?? "") (see the README, \"Inputs\")")
                    }
                    spec.fields[key] = try fieldSource(fields, key)
                }
            }
            specs.append(spec)
        }
        return specs
    }

    private static func fieldSource(_ fields: TableReader, _ key: String) throws(ConfigError) -> FieldSource {
        if fields.table[key]?.table != nil, let constant = try fields.table(key) {
            try constant.allowOnly(["const", "path", "scale", "format"])
            if let path = try constant.string("path"), let format = try constant.string("format") {
                do {
                    return .formatted(FieldSource.parse(path), format: try TimeFormat(format))
                } catch {
                    throw ConfigError(keyPath: "\(fields.path).\(key).format", reason: error.reason)
                }
            }
            if let path = try constant.string("path") {
                guard let scale = constant.table["scale"], let factor = scale.double ?? scale.int.map(Double.init) else {
                    throw ConfigError(keyPath: "\(fields.path).\(key)", reason: "{ path = \"…\" } needs scale = <number> (e.g. 0.001 for milliseconds to seconds) or format = \"%m/%d/%Y %H:%M\" (a date as people write it)")
                }
                return .scaled(FieldSource.parse(path), factor: factor)
            }
            guard let value = constant.table["const"] else {
                throw ConfigError(keyPath: "\(fields.path).\(key)", reason: "an inline table must be { const = \"value\" } or { path = \"…\", scale = 0.001 }")
            }
            if let text = value.string { return .constant(text) }
            if let number = value.int { return .constant(String(number)) }
            if let flag = value.bool { return .constant(flag ? "true" : "false") }
            throw ConfigError(keyPath: "\(fields.path).\(key).const", reason: "must be a string or a number")
        }
        guard let text = try fields.string(key), !text.isEmpty else {
            throw ConfigError(keyPath: "\(fields.path).\(key)", reason: "must be a column name, a JSON path, a template or { const = ... }")
        }
        return FieldSource.parse(text)
    }
}
