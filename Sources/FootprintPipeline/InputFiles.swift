import Foundation

/// Expands the paths given on the command line into the files to load: files as they
/// are, folders recursively, hidden files skipped, in a stable (sorted) order.
public enum InputFiles {
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): no such file or folder" }
    }

    public static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else { throw Missing(path: path) }
            if !isFolder.boolValue {
                files.append(path)
                continue
            }
            guard let walker = manager.enumerator(atPath: path) else { continue }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") {
                    walker.skipDescendants()
                    continue
                }
                let full = (path as NSString).appendingPathComponent(relative)
                // Dangling links and pipes are listed too: ingest reports them as failed
                // files rather than passing over them in silence.
                var isSubfolder: ObjCBool = false
                let exists = manager.fileExists(atPath: full, isDirectory: &isSubfolder)
                if !exists || !isSubfolder.boolValue { found.append(full) }
            }
            files.append(contentsOf: found.sorted())
        }
        return files
    }
}
