import Foundation
import FootprintConfig
import FootprintNormalize
import FootprintStaging
import FootprintWarehouse

/// The ingest stage: every file not loaded before goes through staging into the
/// warehouse, one transaction per file; one bad file does not stop the others.
public struct Ingest {
    public let warehouse: WarehouseEngine
    public let config: FootprintConfig
    public var kindOverride: EventKind?
    /// Read every file again, replacing its earlier load (`ingest --reload`).
    public var reload = false
    /// Opened once per run when the config names a GeoIP database.
    public var geoIP: GeoIPDatabase?
    /// Compiled once per run: the Crawler-Detect list and the config's bot patterns.
    public var bots: BotDetector?

    public init(warehouse: WarehouseEngine, config: FootprintConfig, kindOverride: EventKind? = nil) {
        self.warehouse = warehouse
        self.config = config
        self.kindOverride = kindOverride
    }

    /// "a pipe", "a socket", "a device" — or nil for a regular file (or one that is
    /// missing, which opening will report).
    static func specialFileKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a named pipe"
        case S_IFSOCK: return "a socket"
        default: return "a device"
        }
    }

    /// Loads `files` (already expanded) and refreshes the derived facts. Throws only for
    /// problems that stop the whole run (the database); file problems are in the summary.
    public func run(files: [String], progress: ((LoadProgress) throws -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        let bots = try self.bots ?? BotDetector(extraPatterns: config.botPatterns)
        let spam = ReferrerSpam(extra: config.spamReferrers, exempt: config.notSpamReferrers)
        guard let zone = ZoneClock(identifier: config.timezone) else {
            throw ConfigError(keyPath: "timezone", reason: "unknown time zone")
        }
        try warehouse.withFileLoader(config: config) { session in
            Trace.mark("ingest started")
            for path in files {
                let fileStarted = Date()
                var outcome = IngestSummary.FileOutcome(path: path, status: .loaded, seconds: 0)
                do {
                    if let kind = Self.specialFileKind(path) {
                        // Opening a pipe would wait forever for a writer; a device never ends.
                        outcome.status = .failed
                        outcome.note = "not a regular file (\(kind)); skipped"
                        outcome.seconds = 0
                        summary.files.append(outcome)
                        continue
                    }
                    let spec = config.inputSpec(forFileName: (path as NSString).lastPathComponent)
                    if let spec, spec.ignore {
                        outcome.status = .skipped
                        outcome.note = "ignored ([[inputs]] entry '\(spec.match)' has ignore = true)"
                        summary.files.append(outcome)
                        continue
                    }
                    let sha = Self.identity(ofContent: try FileDigest.sha256(path: path), path: path, spec: spec)
                    if !reload, let earlier = try session.loadedFile(withSHA256: sha) {
                        outcome.status = .skipped
                        outcome.note = earlier == path ? "already loaded" : "same content as \(earlier), already loaded"
                    } else {
                        let reader = try StagedFileReader(path: path, kindOverride: kindOverride, config: config, zone: zone,
                                                          persons: PersonCache(hasher: session.personHasher),
                                                          geoIP: geoIP, bots: bots, spam: spam)
                        outcome.result = try session.load(reader, path: path, sha256: sha, replacing: reload, progress: progress)
                    }
                } catch let error as MappingError {
                    outcome.status = .failed
                    outcome.note = error.reason
                } catch let error as FootprintInput.InputError {
                    outcome.status = .failed
                    outcome.note = error.description
                }
                outcome.seconds = Date().timeIntervalSince(fileStarted)
                // What the file's staging and loading threads freed goes back before the
                // next file: glibc keeps it in their arenas, and the next file's threads do
                // not reuse it (FreedMemory).
                FreedMemory.giveBack()
                Trace.mark("file \(path) done")
                summary.files.append(outcome)
            }
        }
        let derivedStarted = Date()
        do {
            try warehouse.refreshDerivedFacts(config: config)
        } catch {
            throw DerivedFactsPending(underlying: error)
        }
        summary.derivedSeconds = Date().timeIntervalSince(derivedStarted)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

import FootprintInput

extension Ingest {
    /// A file's identity for "already loaded": its content's SHA-256, and what its mapping
    /// takes from outside the bytes — the folder's name (`{@folder}`: Slack keeps each
    /// channel's days in a folder, and a day file can be byte-identical in two channels),
    /// the entry's host (one access log is two sites' traffic under two hosts) and the
    /// preset. Without any of those it is the digest alone, as before.
    static func identity(ofContent sha: String, path: String, spec: InputSpec?) -> String {
        guard let spec else { return sha }
        var context: [String] = []
        if let preset = spec.preset { context.append("preset=\(preset)") }
        if let host = spec.host { context.append("host=\(host)") }
        let usesFolder = spec.fields.values.contains { source in
            if case .template(let parts) = source { return parts.contains(.placeholder("@folder")) }
            return false
        }
        if usesFolder {
            context.append("folder=" + URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().lastPathComponent)
        }
        return context.isEmpty ? sha : sha + " " + context.joined(separator: " ")
    }
}

/// Every file of the run was loaded and committed, but bringing the derived tables
/// (sessions, visitor days, cascades, mentions) up to date failed: the next run or
/// report does it. Kept apart so the message says what is true: nothing was rolled back.
public struct DerivedFactsPending: Error, CustomStringConvertible {
    public let underlying: Error
    public var description: String { "derived tables not brought up to date: \(underlying)" }
}
