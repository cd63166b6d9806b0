import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sorts any number of fixed-size rows in bounded memory: rows are collected in runs of
/// `runLength`, each run is sorted in memory and written to an unlinked temporary file,
/// and `sorted()` merges the runs. When everything fits in one run, no file is written.
///
/// Why not `ORDER BY`: SQLite's sorter compares generic records column by column; for
/// the sessionizer's 2 million page views it took 2.1 s where scanning the table took
/// 0.23 s. Sorting plain structs with a typed comparison is several times cheaper.
struct ExternalSorter<Row: Comparable & BitwiseCopyable> {
    private let runLength: Int
    private var buffer: [Row] = []
    private var spill: SpillFile?
    /// Where each spilled run starts in the file, in rows, and how many rows it holds.
    private var runs: [(start: Int, count: Int)] = []

    init(runLength: Int = 200_000) {
        precondition(runLength > 0)
        self.runLength = runLength
        buffer.reserveCapacity(runLength)
    }

    mutating func append(_ row: Row) throws {
        buffer.append(row)
        if buffer.count >= runLength { try spillRun() }
    }

    /// The rows in ascending order. Equal rows keep no particular order: give rows a
    /// unique tie-breaker when that matters.
    mutating func sorted() throws -> SortedRows<Row> {
        if runs.isEmpty {
            buffer.sort()
            return SortedRows(inMemory: buffer)
        }
        if !buffer.isEmpty { try spillRun() }
        guard let spill else { return SortedRows(inMemory: []) }
        return try SortedRows(merging: runs, of: spill)
    }

    private mutating func spillRun() throws {
        buffer.sort()
        if spill == nil { spill = try SpillFile() }
        let start = runs.last.map { $0.start + $0.count } ?? 0
        try buffer.withUnsafeBytes { try spill!.write($0) }
        runs.append((start, buffer.count))
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The merged output of an `ExternalSorter`: call `next()` until it returns nil.
struct SortedRows<Row: Comparable & BitwiseCopyable> {
    /// One spilled run being read back through a small buffer.
    private struct RunReader {
        var nextRow: Int       // index in the file of the next row to read
        let end: Int           // one past the run's last row
        var buffer: [Row] = []
        var position = 0
    }

    private var memory: [Row] = []
    private var memoryPosition = 0
    private var readers: [RunReader] = []
    /// Min-heap of reader indices, ordered by each reader's current row.
    private var heap: [Int] = []
    private var spill: SpillFile?
    /// Rows read back from a run at a time: 4,096, fewer when there are many runs, so
    /// that all read buffers together stay within `readBudget` (8 MB) however large the input
    /// (with a fixed 4,096, 150 runs of a 10-million-row first load would hold 50 MB).
    private(set) var rowsPerRead = 4096
    static var readBudget: Int { 8 << 20 }

    init(inMemory rows: [Row]) { memory = rows }

    init(merging runs: [(start: Int, count: Int)], of spill: SpillFile) throws {
        self.spill = spill
        rowsPerRead = max(64, min(4096, Self.readBudget / max(1, runs.count * MemoryLayout<Row>.stride)))
        readers = runs.map { RunReader(nextRow: $0.start, end: $0.start + $0.count) }
        for index in readers.indices where try refill(index) { push(index) }
    }

    mutating func next() throws -> Row? {
        guard spill != nil else {
            guard memoryPosition < memory.count else { return nil }
            defer { memoryPosition += 1 }
            return memory[memoryPosition]
        }
        guard let top = heap.first else { return nil }
        let row = readers[top].buffer[readers[top].position]
        readers[top].position += 1
        if readers[top].position == readers[top].buffer.count, try !refill(top) {
            // The run is exhausted: take it off the heap.
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
        }
        siftDown(0)
        return row
    }

    /// Reads the next rows of a run; false when the run has none left.
    private mutating func refill(_ index: Int) throws -> Bool {
        let count = min(rowsPerRead, readers[index].end - readers[index].nextRow)
        guard count > 0, let spill else { return false }
        let first = readers[index].nextRow
        readers[index].buffer = try Array(unsafeUninitializedCapacity: count) { storage, initialized in
            try spill.read(into: UnsafeMutableRawBufferPointer(storage), atRow: first, rowSize: MemoryLayout<Row>.stride)
            initialized = count
        }
        readers[index].position = 0
        readers[index].nextRow += count
        return true
    }

    private func head(_ reader: Int) -> Row { readers[reader].buffer[readers[reader].position] }

    private mutating func push(_ reader: Int) {
        heap.append(reader)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard head(heap[child]) < head(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, head(heap[left]) < head(heap[smallest]) { smallest = left }
            if right < heap.count, head(heap[right]) < head(heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// Two sorted streams merged into one.
struct MergedRows<Row: Comparable & BitwiseCopyable> {
    private var first, second: SortedRows<Row>
    private var headOfFirst, headOfSecond: Row?

    init(_ first: SortedRows<Row>, _ second: SortedRows<Row>) throws {
        self.first = first
        self.second = second
        headOfFirst = try self.first.next()
        headOfSecond = try self.second.next()
    }

    mutating func next() throws -> Row? {
        // Ties go to the first stream, so equal rows keep their streams' order.
        if let a = headOfFirst, headOfSecond.map({ !($0 < a) }) ?? true {
            headOfFirst = try first.next()
            return a
        }
        guard let b = headOfSecond else { return nil }
        headOfSecond = try second.next()
        return b
    }
}

/// A temporary file that is unlinked as soon as it is created, so that it vanishes
/// with the process however the process ends. Honours TMPDIR. Sort runs spill to it,
/// and report rows on their way to the report files (SpooledReport).
public final class SpillFile {
    private let descriptor: Int32

    public init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/footprint-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw WarehouseError.unusable(path: FileManager.default.temporaryDirectory.path,
                                          reason: "cannot create a temporary file (\(String(cString: strerror(errno)))); set TMPDIR to a writable folder with free space")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("write") }
            offset += written
        }
    }

    func read(into storage: UnsafeMutableRawBufferPointer, atRow row: Int, rowSize: Int) throws {
        try read(into: storage, at: row * rowSize)
    }

    /// Fills `storage` with the bytes from `start` on (which must have been written).
    public func read(into storage: UnsafeMutableRawBufferPointer, at start: Int) throws {
        var offset = 0
        while offset < storage.count {
            let got = pread(descriptor, storage.baseAddress! + offset, storage.count - offset, off_t(start + offset))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw failure("read") }
            offset += got
        }
    }

    private func failure(_ operation: String) -> WarehouseError {
        .unusable(path: FileManager.default.temporaryDirectory.path,
                  reason: "cannot \(operation) a temporary file (\(String(cString: strerror(errno)))); free space in TMPDIR or point it elsewhere")
    }
}
