import Foundation
import FootprintConfig
import FootprintInput
import FootprintNormalize

/// One row of a file after staging: an event ready to load, or a rejection.
public enum StagedRow: Equatable, Sendable {
    case event(line: Int, CanonicalEvent)
    case rejected(line: Int, reason: String, raw: String)
    /// Not an event of this kind (filtered out by the file's mapping); counted, not kept.
    /// `reason` names the rule, without the row's value, so that one rule is one line of
    /// the summary however many values it meets; `example` is this row's value.
    case skipped(line: Int, reason: String, example: String? = nil)
    /// Traffic that is not people (a bot, referrer spam): counted by day and source for
    /// bots.csv, not loaded.
    case filtered(line: Int, FilteredTraffic)
}

/// Opens one export file and hands out staged rows: it decides the file's format
/// (config, then name, then first byte) and kind (`--kind`, config, file name, then the
/// header or first object's keys), then maps and normalises each record.
public final class StagedFileReader {
    public let kind: EventKind
    public let format: InputFormat
    private let reader: RecordReader
    private var mapper: RecordMapper
    /// The first records of a JSON file, read ahead to decide its kind and whether the
    /// mapping fits; handed out first.
    private var peeked: [RecordReadResult] = []
    private let maxRows: Int
    private let keepUnredacted: Bool
    static let withheld = "(text not kept: the row could not be split to remove ids — see the file at this line)"
    private var rows = 0

    public var bytesConsumed: Int { reader.bytesConsumed }
    /// Bytes of the file as stored (compressed or not), and how many have been read:
    /// safe to ask from another thread, for progress and ETA.
    public let fileSize: Int
    private let meter = ByteMeter()
    public var fileBytesRead: Int { meter.value }

    /// Rows without a country, and those of them that had an IP but no GeoIP database.
    public var rowsWithoutCountry: Int { mapper.rowsWithoutCountry.value }
    public var rowsWithUnresolvedIP: Int { mapper.rowsWithUnresolvedIP.value }

    /// `persons` hashes visitor and actor ids with the database's key (LoadSession.personHasher);
    /// `bots` and `spam`, made once per run, tell traffic that is not people.
    public init(path: String, kindOverride: EventKind?, config: FootprintConfig, zone: ZoneClock,
                persons: PersonCache, geoIP: GeoIPDatabase? = nil, bots: BotDetector? = nil,
                spam: ReferrerSpam? = nil) throws {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let spec = config.inputSpec(forFileName: name)
        fileSize = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        var source = try InputOpener.open(path: path, maxBytes: config.limits.maxFileBytes, meter: meter)
        let (format, replay) = try Self.sniffFormat(name: name, declared: spec?.format, source: &source, path: path,
                                                    declaredBy: spec.map { $0.preset.map { "preset '\($0)'" } ?? "the [[inputs]] entry '\($0.match)'" })
        self.format = format
        maxRows = config.limits.maxRowsPerFile
        keepUnredacted = config.privacy.keepUnredactedRejects
        let bounds = Self.timeBounds(config.limits)
        let inner: RecordReader
        switch format {
        case .csv:
            let csv = CSVRecordReader(source: replay, maxRecordBytes: config.limits.maxRecordBytes, maxBlankLines: config.limits.maxRowsPerFile)
            inner = csv
            let kind = try Self.decideKind(kindOverride ?? spec?.kind, name: name, columns: Set(csv.header), path: path)
            self.kind = kind
            mapper = try RecordMapper(kind: kind, spec: spec, header: csv.header, zone: zone, file: path, timeBounds: bounds,
                                      persons: persons, geoIP: geoIP, bots: bots, spam: spam, utmOverrides: config.utmSources,
                                      keepsHandles: config.privacy.showActorHandles)
        case .accesslog:
            inner = AccessLogRecordReader(source: replay, maxRecordBytes: config.limits.maxRecordBytes, maxBlankLines: config.limits.maxRowsPerFile)
            kind = kindOverride ?? spec?.kind ?? .web
            // A `{host}` template without a host is caught by the mapper, for every format;
            // an access log read with no url mapping at all needs the preset.
            guard spec?.fields["url"] != nil else {
                throw MappingError(file: path, reason: "access logs carry paths, not host names: use preset = \"access-log\" with host = \"blog.example.com\" in the [[inputs]] entry (or --preset access-log --host blog.example.com)")
            }
            mapper = try RecordMapper(kind: kind, spec: spec, header: nil, zone: zone, file: path, timeBounds: bounds,
                                      persons: persons, geoIP: geoIP, bots: bots, spam: spam, utmOverrides: config.utmSources,
                                      keepsHandles: config.privacy.showActorHandles)
        case .jsonl, .jsonarray:
            let json: RecordReader = format == .jsonl
                ? JSONLRecordReader(source: replay, maxRecordBytes: config.limits.maxRecordBytes, maxBlankLines: config.limits.maxRowsPerFile)
                : JSONArrayRecordReader(source: replay, maxRecordBytes: config.limits.maxRecordBytes)
            inner = json
            var keys: Set<String> = []
            // Peek at the first object (it is replayed): its keys tell the kind when nothing
            // else does, and show early when a mapping does not fit the file at all.
            // Several, not one: 3 of 44 bit.ly hourly archives start with a heartbeat
            // ({"_heartbeat_": …}) that the preset skips, and judging the fit on it failed
            // the whole file. Up to 20 records or 4 MiB, whichever comes first.
            while peeked.count < 20, json.bytesConsumed < 4 << 20 || peeked.isEmpty, let next = json.next() {
                peeked.append(next)
            }
            for case .record(_, .json(.object(let members))) in peeked { keys.formUnion(members.keys) }
            let kind = try Self.decideKind(kindOverride ?? spec?.kind, name: name, columns: keys, path: path)
            self.kind = kind
            mapper = try RecordMapper(kind: kind, spec: spec, header: nil, zone: zone, file: path, timeBounds: bounds,
                                      persons: persons, geoIP: geoIP, bots: bots, spam: spam, utmOverrides: config.utmSources,
                                      keepsHandles: config.privacy.showActorHandles)
            // The fit is judged on the first record the mapping's `where` filters keep.
            // When the filters keep none of them, a filter that found its field with
            // another value (a heartbeat's `_heartbeat_`) knows the format; one that did
            // not find its field at all (GA4's event_name in a Hacker News file) does not,
            // and the first record is judged.
            var judged: SourceRecord?
            var recognised = false
            for case .record(_, let record) in peeked {
                guard let skip = mapper.filterReason(record) else { judged = record; break }
                if skip.example != nil { recognised = true }
            }
            if judged == nil && !recognised, case .record(_, let record)? = peeked.first { judged = record }
            if let spec, let record = judged, !mapper.resolvesAnyRequired(record) {
                let shown = keys.sorted().prefix(12).joined(separator: ", ")
                let expects = spec.preset.map { "preset '\($0)'" } ?? "the [[inputs]] entry '\(spec.match)'"
                throw MappingError(file: path, reason: "file looks like objects with keys \(shown)\(keys.count > 12 ? ", …" : ""), but \(expects) expects \(mapper.requiredSources().joined(separator: ", ")); none of them is in the first row it keeps — is this the right preset?")
            }
        }
        // Rows are split on a thread of their own from here on (see BackgroundRecordReader).
        reader = BackgroundRecordReader(inner)
    }

    /// Instants accepted as event times: from January 1st of the earliest year to a
    /// little after now.
    static func timeBounds(_ limits: Limits) -> ClosedRange<Int64> {
        let earliest = Int64(CivilDate(year: limits.earliestYear, month: 1, day: 1)!.daysSinceEpoch) * 86400
        let latest = Int64(Date().timeIntervalSince1970) + Int64(limits.futureToleranceHours) * 3600
        return earliest...max(earliest, latest)
    }

    public func next() -> StagedRow? {
        if rows >= maxRows {
            if rows == maxRows {
                rows += 1
                return .rejected(line: 0, reason: "file has more than \(maxRows) rows; the rest was not read — raise [limits] max_rows_per_file if this is expected", raw: "")
            }
            return nil
        }
        rows += 1
        let result: RecordReadResult
        if !peeked.isEmpty {
            result = peeked.removeFirst()
        } else {
            guard let next = reader.next() else { return nil }
            result = next
        }
        switch result {
        case .skipped(let line, let reason):
            return .skipped(line: line, reason: reason, example: nil)
        case .malformed(let line, let reason, let raw):
            // The row could not be split into fields, so a visitor or actor id in it
            // cannot be removed: keep its text only if the config asks for that.
            return .rejected(line: line, reason: reason, raw: keepUnredacted ? raw : Self.withheld)
        case .record(let line, let record):
            if let skip = mapper.filterReason(record) { return .skipped(line: line, reason: skip.rule, example: skip.example) }
            switch mapper.stage(record) {
            case .notPeople(let traffic): return .filtered(line: line, traffic)
            case .mapped(.success(let event)): return .event(line: line, event)
            case .mapped(.failure(let rejection)): return .rejected(line: line, reason: rejection.reason, raw: mapper.redactedText(record))
            }
        }
    }

    static func kindFromName(_ name: String) -> EventKind? {
        let lower = name.lowercased()
        return EventKind.allCases.first { lower.hasPrefix($0.rawValue) }
    }

    static func decideKind(_ declared: EventKind?, name: String, columns: Set<String>, path: String) throws(MappingError) -> EventKind {
        if let declared { return declared }
        if let byName = kindFromName(name) { return byName }
        if let byColumns = CanonicalColumns.detectKind(fromColumns: columns) { return byColumns }
        throw MappingError(file: path, reason: "cannot tell which kind of data this is (web, clicks, groups, subscribers or outcomes): name the file web*/clicks*/groups*/subscribers*/outcomes*, pass --kind, or add an [[inputs]] entry with kind = ... to the config")
    }

    /// Format from config, else from the name (.csv / .jsonl / .ndjson, under any .gz),
    /// else from the first non-blank byte: `{` means JSONL, `[` a JSON array (also for
    /// .json files, which hold either).
    ///
    /// Before that, what cannot be read at all stops the file with one message instead of
    /// a reject per line: other compressions (by their magic bytes), and a file whose first
    /// byte contradicts the declared format (a CSV under a JSON-lines preset, a JSON array
    /// under a JSONL preset, JSON under the access-log preset).
    static func sniffFormat(name: String, declared: InputFormat?, source: inout any ByteChunkSource,
                            path: String, declaredBy: String? = nil) throws -> (InputFormat, any ByteChunkSource) {
        let first = try source.nextChunk() ?? []
        if first.starts(with: [0xFF, 0xFE]) || first.starts(with: [0xFE, 0xFF]) {
            throw MappingError(file: path, reason: "file is UTF-16 (it starts with a UTF-16 byte-order mark); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 \(name) > \(name).utf8.csv")
        }
        if let compression = Self.unsupportedCompression(first) {
            throw MappingError(file: path, reason: "file is \(compression.what), which Footprint does not read; \(compression.fix(name))")
        }
        let replay: any ByteChunkSource = PrependingSource(first: first, rest: source)
        var content = first[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        let lead = content.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        if let declared {
            if let lead, let problem = Self.contradiction(declared, lead: lead, name: name) {
                let start = String(decoding: content.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }.prefix(40), as: UTF8.self)
                    .split(separator: "\n").first.map(String.init) ?? ""
                throw MappingError(file: path, reason: "\(declaredBy ?? "the mapping") reads \(Self.formatName(declared)), but this file starts with '\(start)' — \(problem)")
            }
            return (declared, replay)
        }
        var stem = name.lowercased()
        if stem.hasSuffix(".gz") { stem.removeLast(3) }
        if stem.hasSuffix(".csv") || stem.hasSuffix(".tsv") { return (.csv, replay) }
        if stem.hasSuffix(".jsonl") || stem.hasSuffix(".ndjson") { return (.jsonl, replay) }
        let firstByte = lead
        if firstByte == UInt8(ascii: "[") { return (.jsonarray, replay) }
        if stem.hasSuffix(".json") { return (.jsonl, replay) }
        return (firstByte == UInt8(ascii: "{") ? .jsonl : .csv, replay)
    }
}

extension StagedFileReader {
    /// Compressions and archives told by their magic bytes; gzip is read, these are not.
    static func unsupportedCompression(_ bytes: [UInt8]) -> (what: String, fix: (String) -> String)? {
        if bytes.count >= 10, bytes.starts(with: [0x42, 0x5A, 0x68]), (0x31...0x39).contains(bytes[3]),
           Array(bytes[4..<10]) == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] {
            return ("compressed with bzip2", { "decompress it (bunzip2 -k \($0)) or recompress it with gzip (bunzip2 -c \($0) | gzip > \($0).gz)" })
        }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
            return ("compressed with zstd", { "decompress it (zstd -d \($0)) or recompress it with gzip (zstd -dc \($0) | gzip > \($0).gz)" })
        }
        if bytes.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            return ("compressed with xz", { "decompress it (xz -dk \($0)) or recompress it with gzip (xz -dc \($0) | gzip > \($0).gz)" })
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return ("a zip archive", { "unzip it and ingest the files inside (unzip \($0) -d export; a Slack export: footprint ingest --preset slack export/*/)" })
        }
        return nil
    }

    static func formatName(_ format: InputFormat) -> String {
        switch format {
        case .csv: return "CSV with a header row"
        case .jsonl: return "one JSON object per line (JSONL)"
        case .jsonarray: return "a JSON array of objects"
        case .accesslog: return "web server access log lines"
        }
    }

    /// Why the first non-blank byte rules the declared format out, or nil.
    static func contradiction(_ format: InputFormat, lead: UInt8, name: String) -> String? {
        let brace = UInt8(ascii: "{"), bracket = UInt8(ascii: "[")
        switch format {
        case .jsonl where lead == bracket:
            return "a JSON array: convert it to one object per line (jq -c '.[]' \(name) > \(name).jsonl), or set format = \"jsonarray\" in the [[inputs]] entry"
        case .jsonl where lead != brace:
            return "it is not JSON (CSV?): use the preset or mapping made for this export"
        case .jsonarray where lead != bracket:
            return lead == brace ? "one JSON object per line: set format = \"jsonl\" in the [[inputs]] entry" : "it is not JSON: use the preset or mapping made for this export"
        case .accesslog where lead == brace || lead == bracket:
            return "JSON, not log lines: use the preset or mapping made for this export"
        case .csv where lead == brace || lead == bracket:
            return "JSON, not CSV: set format = \"jsonl\" or \"jsonarray\" in the [[inputs]] entry"
        default:
            return nil
        }
    }
}

/// Puts a chunk read for sniffing back in front of the rest of the stream.
struct PrependingSource: ByteChunkSource {
    var first: [UInt8]?
    var rest: any ByteChunkSource
    mutating func nextChunk() throws -> [UInt8]? {
        if let chunk = first {
            first = nil
            if !chunk.isEmpty { return chunk }
        }
        return try rest.nextChunk()
    }
}
