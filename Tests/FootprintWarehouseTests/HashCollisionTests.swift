import Foundation
import GRDB
import Testing
import FootprintTestSupport
import FootprintConfig
import FootprintNormalize
@testable import FootprintStaging
@testable import FootprintWarehouse

/// Two different event ids under one 63-bit hash cannot be found by chance, so these
/// tests hand the writer events with chosen hashes. Whatever slot each id ends up in,
/// each id must be stored once, repeats must count as duplicates, and a later file must
/// find every id again — whether the first file went in row by row or was appended
/// without the index (BulkPageViewLoad).
@Suite struct HashCollisionTests {
    static let hash: Int64 = 4_242_424_242

    static func view(_ id: String, hash: Int64, visitor: String = "v1") -> CanonicalEvent {
        .web(WebEvent(identity: id, occurredAt: 1_714_557_600, visitor: PersonHasher(key: [1, 2, 3]).person(visitor),
                      sessionID: nil, page: CanonicalURL("https://acme.example/\(id)")!, referrer: nil,
                      place: Place(countryCode: "DE", region: "", city: ""), engagedSeconds: nil,
                      day: CivilDate(year: 2024, month: 5, day: 1)!, identityKey: hash))
    }

    /// a and b share a hash; a comes twice; c sits naturally on the next hash.
    static let firstFile = [view("a", hash: hash), view("b", hash: hash), view("a", hash: hash), view("c", hash: hash + 1)]

    func load(_ events: [CanonicalEvent], into warehouse: Warehouse, withoutIndex: Bool) throws -> (loaded: Int, duplicate: Int) {
        try warehouse.write { db in
            let connection = try #require(db.sqliteConnection)
            let writer = try FactWriter(connection: connection, keys: try DimensionKeys(connection: connection, zone: .utc),
                                        config: DefaultConfig.load())
            writer.loadFileID = 1
            if withoutIndex { try writer.appendPageViewsWithoutIndex() }
            for event in events { try writer.write(event) }
            try writer.flushPending()
            return (writer.loadedCount, writer.duplicateCount)
        }
    }

    func storedIDs(_ warehouse: Warehouse) throws -> [String: Int64] {
        try warehouse.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT source_id, source_hash FROM fact_page_view")
                .map { ($0[0] as String, $0[1] as Int64) })
        }
    }

    @Test(arguments: [false, true])
    func collidingIdsAreKeptApartAndFoundAgain(withoutIndex: Bool) throws {
        let folder = try TestFolder()
        let warehouse = try Warehouse(path: folder.file("test.sqlite"))
        let first = try load(Self.firstFile, into: warehouse, withoutIndex: withoutIndex)
        #expect(first.loaded == 3)
        #expect(first.duplicate == 1)
        let stored = try storedIDs(warehouse)
        #expect(Set(stored.keys) == ["a", "b", "c"])
        #expect(stored["a"] == Self.hash)                     // the first id keeps its hash
        #expect(Set(stored.values).count == 3)                // every id has its own
        #expect(stored.values.allSatisfy { $0 >= Self.hash && $0 <= Self.hash + 2 })
        // The index is back, unique, and the referral summary (counted by the loader, or
        // left by a first load to the sessionizer) counts each page view once.
        try warehouse.refreshDerivedFacts(config: DefaultConfig.load())
        let indexes = try warehouse.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'fact_page_view' AND type = 'index' ORDER BY name") }
        #expect(indexes == ["fact_page_view_by_day", "fact_page_view_source"])
        let views = try warehouse.read { db in try Int.fetchOne(db, sql: "SELECT SUM(views) FROM agg_page_view_referral") }
        #expect(views == 3)
        // A later file, row by row against the index, finds all three.
        let again = try load([Self.view("c", hash: Self.hash + 1), Self.view("b", hash: Self.hash), Self.view("a", hash: Self.hash)],
                             into: warehouse, withoutIndex: false)
        #expect(again.loaded == 0)
        #expect(again.duplicate == 3)
        #expect(try storedIDs(warehouse) == stored)
    }
}
