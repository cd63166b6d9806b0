import Foundation
import FootprintPipeline
import FootprintWarehouse

/// Everything the user sees on stderr, and the JSON summary on stdout.
struct SummaryPrinter {
    var quiet: Bool

    /// One line: control characters in it (from file names, rejected values, errors)
    /// are shown as escapes, so input cannot forge or recolour a line.
    func say(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.visible(line) + "\n").utf8))
    }

    /// One line per file, its first rejects indented below it, then the totals.
    func printIngest(_ summary: IngestSummary) {
        for file in summary.files {
            switch file.status {
            case .skipped:
                if !quiet { say("skipped  \(file.path): \(file.note ?? "already loaded")") }
            case .failed:
                say("FAILED   \(file.path): \(file.note ?? "unreadable")")
            case .loaded:
                guard let result = file.result else { continue }
                if quiet && result.rejected == 0 { continue }
                let skipped = result.skipped > 0 ? ", skipped \(result.skipped)" : ""
                say("loaded   \(file.path) [\(result.kind), \(result.format)]: read \(result.read), loaded \(result.loaded), duplicate \(result.duplicate), rejected \(result.rejected)\(skipped) (\(String(format: "%.1f", file.seconds)) s)")
                if result.loaded == 0 && result.duplicate == 0 && result.rejected > 0 {
                    say("         nothing was loaded, so the file is not marked as loaded: fix the mapping (or the file) and the next run reads it again")
                }
                if result.unresolvedIP > 0 {
                    say("         \(result.unresolvedIP) rows have an IP but no country: set geoip_database in the config to look them up (country ZZ for now)")
                } else if result.withoutCountry > 0 && !quiet {
                    say("         \(result.withoutCountry) rows without a known country (ZZ)")
                }
                for (reason, count) in result.skippedByReason.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).prefix(5) {
                    say("         skipped \(count): \(reason)\(result.skipExamples[reason].map { " (e.g. '\($0)')" } ?? "")")
                }
                for reject in result.firstRejects {
                    say("         line \(reject.line): \(reject.reason)")
                }
                if result.rejected > result.firstRejects.count {
                    say("         … \(result.rejected - result.firstRejects.count) more; all are in the load_rejects table")
                }
            }
        }
        if !quiet || summary.hasProblems {
            let totals = summary.totalsByKind.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value.loaded) loaded, \($0.value.duplicate) duplicate, \($0.value.rejected) rejected"
                    + ($0.value.skipped > 0 ? ", \($0.value.skipped) skipped" : "") }
            let loaded = summary.files.filter { $0.status == .loaded }.count
            let skipped = summary.files.filter { $0.status == .skipped }.count
            say("ingest: \(loaded) file(s) loaded, \(skipped) skipped, \(summary.filesFailed) failed in \(String(format: "%.1f", summary.seconds)) s\(totals.isEmpty ? "" : " — " + totals.joined(separator: "; "))")
        }
    }

    func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(value) {
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }
}

/// A progress line on stderr that rewrites itself, only when stderr is a terminal:
/// file, MB read of the file's size, rows, rows/s and the time left.
final class ProgressLine {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var started = Date()
    private var currentPath = ""

    func update(_ step: LoadProgress) {
        guard enabled else { return }
        if step.path != currentPath { currentPath = step.path; started = Date() }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let name = TerminalText.visible((step.path as NSString).lastPathComponent)
        let fraction = step.fileSize > 0 ? min(Double(step.fileBytesRead) / Double(step.fileSize), 1) : 0
        var eta = ""
        if fraction > 0.01 {
            let left = Int(seconds / fraction - seconds)
            eta = String(format: ", ETA %d:%02d", left / 60, left % 60)
        }
        let line = String(format: "\r\u{1B}[K%@: %.1f of %.1f MB (%.0f%%), %d rows, %.0f rows/s%@", name,
                          Double(step.fileBytesRead) / 1e6, Double(step.fileSize) / 1e6, fraction * 100,
                          step.rowsRead, Double(step.rowsRead) / seconds, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
