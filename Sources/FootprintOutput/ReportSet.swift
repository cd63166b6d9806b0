import Foundation

/// Publishes a night's reports as one set: the files are written into a fresh folder
/// next to `--out`, and `--out` — a symbolic link — is then switched to it with one
/// atomic rename. A reader opening `out/geo.csv` sees last night's set or tonight's,
/// never a mix. The previous set is kept (for a reader still holding it); older ones
/// are removed.
public enum ReportSet {
    public struct PublishError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot publish reports to \(path): \(reason)" }
    }

    /// Writes `files` (name → contents) as a new set and points `out` at it. Returns
    /// the paths as seen through `out`.
    @discardableResult
    public static func publish(_ files: [(name: String, contents: String)], to out: String,
                               fileMode: UInt16 = 0o600, folderMode: UInt16 = 0o700) throws -> [String] {
        let manager = FileManager.default
        let outURL = URL(fileURLWithPath: out)
        let parent = outURL.deletingLastPathComponent().path
        let name = outURL.lastPathComponent
        let sets = parent + "/.\(name).sets"
        try manager.createDirectory(atPath: sets, withIntermediateDirectories: true, attributes: [.posixPermissions: folderMode])
        let stamp = ISO8601DateFormatter.compact.string(from: Date())
        let setName = "\(stamp)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let folder = sets + "/" + setName
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: folderMode])
        for file in files {
            try AtomicFile.write(file.contents, to: folder + "/" + file.name, permissions: mode_t(fileMode))
        }
        try moveAsideIfRealFolder(out, into: sets)
        // Switch: a new link under a temporary name, renamed over the old link.
        let temporaryLink = parent + "/.\(name).link-\(getpid())"
        unlink(temporaryLink)
        guard symlink(".\(name).sets/\(setName)", temporaryLink) == 0 else {
            throw PublishError(path: out, reason: String(cString: strerror(errno)))
        }
        guard rename(temporaryLink, out) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryLink)
            throw PublishError(path: out, reason: reason)
        }
        try removeOldSets(in: sets, keeping: [setName])
        return files.map { out + "/" + $0.name }
    }

    /// Before the first switch, `out` may be an ordinary folder (from an older version
    /// or made by hand): it is moved into the sets folder, where it counts as a set.
    private static func moveAsideIfRealFolder(_ out: String, into sets: String) throws {
        var info = stat()
        guard lstat(out, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFLNK { return }
        let aside = sets + "/earlier-\(getpid())"
        guard rename(out, aside) == 0 else {
            throw PublishError(path: out, reason: "it exists and is not a report-set link, and could not be moved aside: \(String(cString: strerror(errno)))")
        }
    }

    /// Keeps the newest two sets (tonight's and last night's); removes the rest.
    private static func removeOldSets(in sets: String, keeping current: [String]) throws {
        let manager = FileManager.default
        let entries = (try? manager.contentsOfDirectory(atPath: sets)) ?? []
        let dated = entries.compactMap { name -> (String, Date)? in
            let attributes = try? manager.attributesOfItem(atPath: sets + "/" + name)
            return (attributes?[.modificationDate] as? Date).map { (name, $0) }
        }.sorted { $0.1 > $1.1 }
        for (name, _) in dated.dropFirst(2) where !current.contains(name) {
            try? manager.removeItem(atPath: sets + "/" + name)
        }
    }
}

extension ISO8601DateFormatter {
    /// 20240501T023000Z: sortable and safe in file names.
    static let compact: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        return formatter
    }()
}
