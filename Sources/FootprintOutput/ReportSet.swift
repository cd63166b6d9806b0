import Foundation

/// Publishes a night's reports as one set: the files are written into a fresh folder
/// in `.NAME.sets/` next to `--out`, and `--out` — a symbolic link — is then switched to
/// it with one atomic rename. A reader opening `out/geo.csv` sees last night's set or
/// tonight's, never a mix.
///
/// Nothing Footprint did not make is ever replaced or deleted:
/// - `--out` may be missing, an empty folder, or a link of the form `.NAME.sets/SET`
///   (what publishing makes); a file, a folder that holds anything, or another link is
///   refused before anything is written (`OutputTargetError`, a usage error).
/// - `.NAME.sets` must be a real folder owned by this user, never a link.
/// - Every set starts with a marker file; the clean-up removes only marked sets, and
///   never the one `--out` pointed to before the switch (a reader may hold it), so a
///   killed run's partial set goes and the last complete one stays. It unlinks the
///   set's own files through the folder's descriptor and follows no link.
public enum ReportSet {
    public struct PublishError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot publish reports to \(path): \(reason)" }
    }

    /// `--out` names something publishing would destroy.
    public struct OutputTargetError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "--out \(path): \(reason)" }
    }

    /// The file in every set folder that says Footprint made it.
    public static let marker = ".footprint-report-set"

    /// `rep/` and `rep` are the same `--out`.
    public static func normalized(_ out: String) -> String {
        var path = out
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Checks `out` before any work is done, so that a mistyped `--out` fails at once
    /// and harms nothing. Throws `OutputTargetError`.
    public static func checkTarget(_ out: String) throws {
        let path = normalized(out)
        let name = (path as NSString).lastPathComponent
        guard !name.isEmpty, name != ".", name != "..", name != "/" else {
            throw OutputTargetError(path: out, reason: "name a folder for the reports (e.g. --out reports), not \(name.isEmpty ? "an empty path" : "'\(name)'")")
        }
        var info = stat()
        // The folder the link goes in must exist: found out here, before anything is
        // loaded, rather than when the reports are published (exit 3 after the work).
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, stat(parent, &info) != 0 || info.st_mode & S_IFMT != S_IFDIR {
            throw OutputTargetError(path: out, reason: "the folder \(parent) does not exist; create it (mkdir -p \(parent)) or choose another --out")
        }
        if lstat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                let target = readLink(path) ?? ""
                guard setName(ofLink: target, outName: name) != nil else {
                    throw OutputTargetError(path: out, reason: "it is a link to '\(target)', which footprint did not make; remove the link or choose another --out")
                }
            case S_IFDIR:
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                guard entries.isEmpty else {
                    throw OutputTargetError(path: out, reason: "it is a folder that holds \(entries.count) entr\(entries.count == 1 ? "y" : "ies"); footprint makes --out a link to a report folder of its own and replaces only an empty folder — choose a new --out path, or empty or remove that folder")
                }
            default:
                throw OutputTargetError(path: out, reason: "it is an existing file that would be lost; --out names the folder (link) the reports go to — choose another path")
            }
        }
        let sets = setsFolder(path)
        if lstat(sets, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw OutputTargetError(path: out, reason: "\(sets) is \(info.st_mode & S_IFMT == S_IFLNK ? "a link" : "not a folder"); footprint keeps its report sets in a real folder there and will not follow or replace it — remove it")
            }
            guard info.st_uid == geteuid() else {
                throw OutputTargetError(path: out, reason: "\(sets) belongs to another user (uid \(info.st_uid)); run as that user or remove it")
            }
        }
    }

    /// Writes the files `names` as a new set, each through `write` (as its rows come),
    /// and points `out` at it. Returns the paths as seen through `out`.
    @discardableResult
    public static func publish(_ names: [String], to requested: String, fileMode: UInt16 = 0o600, folderMode: UInt16 = 0o700,
                               writing write: (_ name: String, _ file: OutputFile) throws -> Void) throws -> [String] {
        try checkTarget(requested)
        let out = normalized(requested)
        let parent = (out as NSString).deletingLastPathComponent
        let name = (out as NSString).lastPathComponent
        let parentPrefix = parent.isEmpty ? "" : (parent == "/" ? "/" : parent + "/")
        let sets = setsFolder(out)
        try makeFolder(sets, mode: folderMode, out: out, mayExist: true)
        let stamp = ISO8601DateFormatter.compact.string(from: Date())
        let setName = "\(stamp)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let folder = sets + "/" + setName
        try makeFolder(folder, mode: folderMode, out: out, mayExist: false)
        try writeMarker(in: folder, mode: fileMode, out: out)
        for name in names {
            try AtomicFile.write(to: folder + "/" + name, permissions: mode_t(fileMode)) { try write(name, $0) }
        }
        // What --out showed before: kept by the clean-up below.
        let previous = readLink(out).flatMap { Self.setName(ofLink: $0, outName: name) }
        var info = stat()
        if lstat(out, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, rmdir(out) != 0 {
            throw PublishError(path: out, reason: "the empty folder there could not be replaced: \(String(cString: strerror(errno)))")
        }
        // Switch: a new link under a fresh temporary name, renamed over the old link.
        var temporaryLink = ""
        for _ in 0..<8 {
            temporaryLink = parentPrefix + ".\(name).link-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            if symlink(".\(name).sets/\(setName)", temporaryLink) == 0 { break }
            guard errno == EEXIST else { throw PublishError(path: out, reason: String(cString: strerror(errno))) }
            temporaryLink = ""
        }
        guard !temporaryLink.isEmpty else { throw PublishError(path: out, reason: "no free temporary link name") }
        guard rename(temporaryLink, out) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryLink)
            throw PublishError(path: out, reason: reason)
        }
        removeOldSets(in: sets, keeping: [setName] + (previous.map { [$0] } ?? []))
        return names.map { out + "/" + $0 }
    }

    static func setsFolder(_ out: String) -> String {
        let parent = (out as NSString).deletingLastPathComponent
        let name = (out as NSString).lastPathComponent
        return (parent.isEmpty ? "" : (parent == "/" ? "/" : parent + "/")) + ".\(name).sets"
    }

    /// The set a link made by `publish` points to: `.NAME.sets/SET` and nothing else.
    public static func setName(ofLink target: String, outName: String) -> String? {
        let prefix = ".\(outName).sets/"
        guard target.hasPrefix(prefix) else { return nil }
        let set = String(target.dropFirst(prefix.count))
        guard !set.isEmpty, set != ".", set != "..", !set.contains("/") else { return nil }
        return set
    }

    public static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// mkdir (which never follows a link at the last component), the mode set exactly
    /// whatever the umask, and a check that what is there is a real folder.
    private static func makeFolder(_ path: String, mode: UInt16, out: String, mayExist: Bool) throws {
        if mkdir(path, mode_t(mode)) == 0 {
            chmod(path, mode_t(mode))
        } else if !(mayExist && errno == EEXIST) {
            throw PublishError(path: out, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw PublishError(path: out, reason: "\(path) is not a folder (a link or a file appeared there); remove it")
        }
    }

    private static func writeMarker(in folder: String, mode: UInt16, out: String) throws {
        let fd = open(folder + "/" + marker, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode_t(mode))
        guard fd >= 0 else {
            throw PublishError(path: out, reason: "cannot create \(folder)/\(marker): \(String(cString: strerror(errno)))")
        }
        fchmod(fd, mode_t(mode))
        let text = "A set of reports written by footprint; removed by a later run once it is neither the newest nor the one before.\n"
        _ = text.withCString { Foundation.write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Removes the marked sets other than `keeping`. Unmarked entries, links and files
    /// are left alone: footprint did not make them (or an older version did).
    private static func removeOldSets(in sets: String, keeping: [String]) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: sets)) ?? []
        for entry in entries where !keeping.contains(entry) {
            removeSet(sets + "/" + entry)
        }
    }

    /// Opens the folder without following a link, checks the marker is a plain file in
    /// it, unlinks its plain files and links by name relative to the descriptor (a link
    /// is removed, never followed), then removes the folder. A subfolder (which
    /// footprint never makes) keeps the folder in place.
    private static func removeSet(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        guard fd >= 0 else { return }
        var info = stat()
        guard fstatat(fd, marker, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFREG,
              let dir = fdopendir(fd) else {
            close(fd)
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names where name != marker {
            if fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT != S_IFDIR {
                unlinkat(fd, name, 0)
            }
        }
        unlinkat(fd, marker, 0)
        closedir(dir)
        // Fails when a subfolder (not ours) is in it: then the folder stays, unmarked.
        rmdir(path)
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
