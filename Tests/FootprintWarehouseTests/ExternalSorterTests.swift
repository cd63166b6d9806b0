import Foundation
import GRDB
import Testing
import FootprintTestSupport
@testable import FootprintWarehouse

@Suite struct ExternalSorterTests {
    /// Many small runs spilled to disk must merge to exactly what an in-memory sort gives.
    @Test(arguments: [1, 7, 100, 20_000])
    func mergedRunsEqualAnInMemorySort(runLength: Int) throws {
        var generator = SeededGenerator(seed: 42)
        let rows = (0..<10_007).map { index in
            SessionInput(person: Int64.random(in: 1...50, using: &generator), property: Int64.random(in: 1...3, using: &generator),
                         viewedAt: Int64.random(in: 0...1_000, using: &generator), pageView: Int64(index), date: 20240501,
                         referrer: 1, content: 1, geo: 1, engaged: .nan, reference: 0)
        }
        var sorter = ExternalSorter<SessionInput>(runLength: runLength)
        for row in rows { try sorter.append(row) }
        var sorted = try sorter.sorted()
        var merged: [Int64] = []
        while let row = try sorted.next() { merged.append(row.pageView) }
        #expect(merged == rows.sorted().map(\.pageView))
        #expect(merged.count == 10_007)
    }

    /// Read-back buffers share a fixed budget: with many runs each reads fewer rows at a
    /// time, so merging a huge input does not hold 4,096 rows per run (for the 300 runs
    /// here that would be 98 MB of SessionInput).
    @Test func manyRunsReadBackWithinTheBudget() throws {
        var sorter = ExternalSorter<SessionInput>(runLength: 10)
        for index in 0..<3_000 {
            try sorter.append(SessionInput(person: Int64(index % 97), property: 1, viewedAt: Int64(index), pageView: Int64(index),
                                           date: 0, referrer: 0, content: 0, geo: 0, engaged: .nan, reference: 0))
        }
        var sorted = try sorter.sorted()
        #expect(sorted.rowsPerRead * 300 * MemoryLayout<SessionInput>.stride <= SortedRows<SessionInput>.readBudget)
        #expect(sorted.rowsPerRead >= 64)
        var count = 0, previous: SessionInput?
        while let row = try sorted.next() {
            if let previous { #expect(!(row < previous)) }
            previous = row
            count += 1
        }
        #expect(count == 3_000)
    }

    /// The sessionizer sorts two halves on two threads and merges them.
    @Test func twoSortedStreamsMergeInOrder() throws {
        func sorted(_ keys: [Int64], runLength: Int) throws -> SortedRows<SessionInput> {
            var sorter = ExternalSorter<SessionInput>(runLength: runLength)
            for key in keys {
                try sorter.append(SessionInput(person: key, property: 1, viewedAt: 0, pageView: key * 10 + (key % 2),
                                               date: 0, referrer: 0, content: 0, geo: 0, engaged: .nan, reference: 0))
            }
            return try sorter.sorted()
        }
        var merged = try MergedRows(try sorted([5, 1, 9, 3, 3], runLength: 2), try sorted([4, 2, 8], runLength: 100))
        var people: [Int64] = []
        while let row = try merged.next() { people.append(row.person) }
        #expect(people == [1, 2, 3, 3, 4, 5, 8, 9])
        var empty = try MergedRows(try sorted([], runLength: 4), try sorted([7], runLength: 4))
        #expect(try empty.next()?.person == 7)
        #expect(try empty.next() == nil)
    }

    @Test func emptyInputGivesNoRows() throws {
        var sorter = ExternalSorter<SessionInput>(runLength: 4)
        var sorted = try sorter.sorted()
        #expect(try sorted.next() == nil)
    }

    /// Rows go by visitor, then property, then time, then load order.
    @Test func sessionInputOrder() {
        func row(_ person: Int64, _ property: Int64, _ at: Int64, _ key: Int64) -> SessionInput {
            SessionInput(person: person, property: property, viewedAt: at, pageView: key, date: 0, referrer: 0, content: 0,
                         geo: 0, engaged: .nan, reference: 0)
        }
        let rows = [row(2, 1, 0, 1), row(1, 2, 0, 2), row(1, 1, 50, 3), row(1, 1, 50, 4), row(1, 1, 10, 5)]
        #expect(rows.sorted().map(\.pageView) == [5, 3, 4, 2, 1])
    }
}

@Suite struct PersonKeySetTests {
    /// Grows well past its first capacity, keeps each key once, and knows 0 and
    /// keys that collide in the low bits.
    @Test func holdsEachKeyOnceThroughGrowth() {
        var set = PersonKeySet(capacity: 4)
        var generator = SeededGenerator(seed: 7)
        var expected = Set<Int64>()
        for _ in 0..<5_000 {
            let key = Int64.random(in: 0...Int64.max, using: &generator)
            set.insert(key); set.insert(key)
            expected.insert(key)
        }
        for key: Int64 in [0, 1 << 40, 2 << 40, 3 << 40] { set.insert(key); expected.insert(key) }
        #expect(set.count == expected.count)
        #expect(Set(set.keys) == expected)
        #expect(set.keys.count == expected.count)
        let members = Set(set.keys)
        #expect(expected.allSatisfy { members.contains($0) })
        #expect(!members.contains(4 << 40))
        set.removeAll()
        #expect(set.count == 0 && set.keys.isEmpty)
    }
}

@Suite struct MultiRowInsertTests {
    /// 150 rows of 64 per statement: two full statements and a remainder of 22, with
    /// NULLs and reals, must land exactly and in order.
    @Test func fullStatementsAndTheRemainderLandExactly() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let warehouse = try Warehouse(path: folder.file("test.sqlite"))
        let rows: [(Int64, Double?)] = (0..<150).map { ($0, $0 % 3 == 0 ? nil : Double($0) / 4) }
        try warehouse.write { db in
            try db.execute(sql: "CREATE TABLE t (a INTEGER NOT NULL, b REAL)")
            let connection = try #require(db.sqliteConnection)
            let insert = MultiRowInsert(connection: connection, table: "t", columns: ["a", "b"])
            for (a, b) in rows {
                insert.append(a); insert.append(b)
                try insert.endRow()
            }
            try insert.flush()
        }
        let stored = try warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT a, b FROM t ORDER BY rowid").map { ($0[0] as Int64, $0[1] as Double?) }
        }
        #expect(stored.count == 150)
        #expect(stored.map(\.0) == rows.map(\.0))
        #expect(stored.map(\.1) == rows.map(\.1))
    }

    /// The statements are INSERT OR FAIL, which needs no statement journal (see the type):
    /// a bad row stops the statement without undoing the rows before it in the same
    /// statement. With a plain INSERT (ABORT) the two good rows would be gone.
    @Test func aBadRowStopsTheStatementWithoutUndoingItsEarlierRows() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let warehouse = try Warehouse(path: folder.file("test.sqlite"))
        let kept = try warehouse.write { db -> Int in
            try db.execute(sql: "CREATE TABLE t (a INTEGER NOT NULL, b REAL)")
            let connection = try #require(db.sqliteConnection)
            let insert = MultiRowInsert(connection: connection, table: "t", columns: ["a", "b"], rowsPerStatement: 4)
            for a in [1, 2, 3] as [Int64] { insert.append(a); insert.append(nil); try insert.endRow() }
            insert.append(nil as Double?); insert.append(nil)  // NULL into a NOT NULL column
            #expect(throws: (any Error).self) { try insert.endRow() }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") ?? -1
        }
        #expect(kept == 3)
    }

    /// With `.ignore`, rows whose key is already there are left out and the others go
    /// in, text included (how persons are written): 10 rows, keys 0 to 9, into a table
    /// that holds keys 2, 5 and 8 already, 4 rows to a statement.
    @Test func ignoredConflictsLeaveTheOtherRowsIn() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let warehouse = try Warehouse(path: folder.file("test.sqlite"))
        let stored = try warehouse.write { db -> [String] in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            try db.execute(sql: "INSERT INTO t VALUES (2, 'old'), (5, 'old'), (8, 'old')")
            let connection = try #require(db.sqliteConnection)
            let insert = MultiRowInsert(connection: connection, table: "t", columns: ["k", "name"], onConflict: .ignore,
                                        rowsPerStatement: 4)
            for k in 0..<10 as Range<Int64> { insert.append(k); insert.append("new-\(k)"); try insert.endRow() }
            try insert.flush()
            return try String.fetchAll(db, sql: "SELECT name FROM t ORDER BY k")
        }
        #expect(stored == ["new-0", "new-1", "old", "new-3", "new-4", "old", "new-6", "new-7", "old", "new-9"])
    }
}

@Suite struct SQLiteStatementTests {
    /// Text is bound from buffers the statement owns and reuses (SQLITE_STATIC): each
    /// row must store its own text, through growth of the buffer (past 64 bytes), a
    /// shorter text after a longer one, an empty text, NULL, and non-ASCII text.
    @Test func reusedTextBuffersStoreEachRowsOwnText() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let warehouse = try Warehouse(path: folder.file("test.sqlite"))
        let texts: [String?] = ["short", String(repeating: "long-", count: 40), "mid", "", nil, "Zürich 東京", String(repeating: "x", count: 1000), "y"]
        try warehouse.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER NOT NULL, a TEXT, b TEXT)")
            let connection = try #require(db.sqliteConnection)
            let insert = try SQLiteStatement(connection: connection, sql: "INSERT INTO t (n, a, b) VALUES (?, ?, ?)")
            for (n, text) in texts.enumerated() {
                insert.bind(1, n)
                insert.bind(2, text)
                insert.bind(3, text.map { $0 + "!" })  // a second parameter with its own buffer
                try insert.execute()
            }
        }
        let stored = try warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT a, b FROM t ORDER BY n").map { ($0[0] as String?, $0[1] as String?) }
        }
        #expect(stored.map(\.0) == texts)
        #expect(stored.map(\.1) == texts.map { $0.map { $0 + "!" } })
    }
}

@Suite struct TripleKeyCountersTests {
    /// Against a Dictionary doing the same counting: 20,000 random updates over keys from
    /// small ranges (keys sharing two of three parts, repeats, probe clusters, several
    /// growths past the first 1,024 slots), then every key with its counters, in key order.
    @Test func countsMatchADictionaryThroughGrowth() {
        var generator = SeededGenerator(seed: 42)
        var counters = TripleKeyCounters()
        var reference: [[Int64]: (Int64, Int64)] = [:]
        for _ in 0..<20_000 {
            let a = Int64.random(in: 20240101...20240110, using: &generator)
            let b = Int64.random(in: 1...10, using: &generator)
            let c = Int64.random(in: -20...20, using: &generator)
            let value = Int64.random(in: 0...1_000_000, using: &generator)
            counters.update(a, b, c, initial: (value, 0)) { entry in
                entry.first = min(entry.first, value)
                entry.second += 1
            }
            let old = reference[[a, b, c]] ?? (value, 0)
            reference[[a, b, c]] = (min(old.0, value), old.1 + 1)
        }
        let expected = reference.sorted { ($0.key[0], $0.key[1], $0.key[2]) < ($1.key[0], $1.key[1], $1.key[2]) }
        let entries = counters.sortedEntries()
        #expect(counters.count == reference.count)
        #expect(reference.count > 3_000)  // grown well past the initial table
        #expect(entries.map { [$0.a, $0.b, $0.c] } == expected.map(\.key))
        #expect(entries.map(\.first) == expected.map(\.value.0))
        #expect(entries.map(\.second) == expected.map(\.value.1))
        #expect(entries.map(\.second).reduce(0, +) == 20_000)
        counters.removeAll()
        #expect(counters.count == 0 && counters.sortedEntries().isEmpty)
    }
}

@Suite struct OrdinalKeyCacheTests {
    /// A key comes back only for the ordinal it was remembered under: not for another
    /// ordinal in the same slot (65,536 apart), which takes the slot over, and never for
    /// ordinal 0 (a URL without one).
    @Test func aSlotAnswersOnlyForItsOwnOrdinal() {
        var cache = OrdinalKeyCache()
        cache.remember(7, 70)
        cache.remember(8, 80)
        #expect(cache.key(7) == 70 && cache.key(8) == 80)
        #expect(cache.key(7 + 65_536) == nil)
        cache.remember(7 + 65_536, 71)
        #expect(cache.key(7) == nil)
        #expect(cache.key(7 + 65_536) == 71)
        cache.remember(0, 5)
        #expect(cache.key(0) == nil)
        cache.removeAll()
        #expect(cache.key(8) == nil)
    }
}
