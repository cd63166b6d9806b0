import Foundation
import FootprintOutput

/// Expands the paths given on the command line into the files to load: files as they
/// are, folders recursively, hidden files skipped, in a stable (sorted) order.
///
/// Links to folders are followed — a folder given as a link, and links inside — each
/// real folder once, so a link back up the tree cannot loop; a folder reached a second
/// way is reported through `skipped`, as is a report link (`--out` inside an inbox),
/// which is never read as input.
public enum InputFiles {
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): no such file or folder" }
    }

    private struct FolderID: Hashable { let device: UInt64; let inode: UInt64 }

    public static func expand(_ paths: [String], skipped: (_ path: String, _ reason: String) -> Void = { _, _ in }) throws -> [String] {
        var files: [String] = []
        var visited = Set<FolderID>()
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 || lstat(path, &info) == 0 else { throw Missing(path: path) }
            if info.st_mode & S_IFMT == S_IFDIR {
                files += walk(path, visited: &visited, skipped: skipped)
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// The files below `folder`, sorted by path. Dangling links and pipes are listed
    /// too: ingest reports them as failed files rather than passing over them in silence.
    private static func walk(_ folder: String, visited: inout Set<FolderID>,
                             skipped: (String, String) -> Void) -> [String] {
        var info = stat()
        guard stat(folder, &info) == 0 else { return [] }
        let id = FolderID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard visited.insert(id).inserted else {
            skipped(folder, "the same folder was already read by another path (a link); read once")
            return []
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            skipped(folder, "the folder cannot be listed")
            return []
        }
        var found: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = (folder as NSString).appendingPathComponent(name)
            var own = stat()
            guard lstat(full, &own) == 0 else { continue }
            if own.st_mode & S_IFMT == S_IFLNK,
               let target = ReportSet.readLink(full), ReportSet.setName(ofLink: target, outName: name) != nil {
                skipped(full, "a footprint report link (--out), not input")
                continue
            }
            var followed = stat()
            if stat(full, &followed) == 0 && followed.st_mode & S_IFMT == S_IFDIR {
                found += walk(full, visited: &visited, skipped: skipped)
            } else {
                found.append(full)
            }
        }
        return found.sorted()
    }
}
