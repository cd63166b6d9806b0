import FootprintConfig
import FootprintNormalize
import GRDB

/// Keeps the tracked brands (dim_brand, dim_brand_domain) in step with the config and
/// records which group activities mention which brand (fact_brand_mention) and which
/// use the perception terms (fact_term_mention). Matching is whole-word text search, so
/// it runs here in Swift, once per activity, not in reports; when the brands or terms
/// in the config change, every activity is matched again.
extension Warehouse {
    func refreshBrandMentions(_ db: Database, brands: [Brand], perception: Perception) throws {
        let fingerprint = brands.map { "\($0.name)|\($0.isSelf)|\($0.aliases.joined(separator: ","))|\($0.domains.joined(separator: ","))" }
            .joined(separator: "\n") + "\ncurrent:" + perception.current.joined(separator: ",")
            + "\naspired:" + perception.aspired.joined(separator: ",")
        let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'brands_fingerprint'")
        if stored != fingerprint {
            try db.execute(sql: "DELETE FROM fact_brand_mention")
            try db.execute(sql: "DELETE FROM fact_term_mention")
            try db.execute(sql: "DELETE FROM dim_brand_domain")
            try db.execute(sql: "DELETE FROM dim_brand")
            for brand in brands {
                try db.execute(sql: "INSERT INTO dim_brand (name, is_self) VALUES (?, ?)", arguments: [brand.name, brand.isSelf ? 1 : 0])
                let key = db.lastInsertedRowID
                for domain in Set(brand.domains) {
                    try db.execute(sql: "INSERT INTO dim_brand_domain (brand_key, domain) VALUES (?, ?)", arguments: [key, domain])
                }
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('brands_fingerprint', ?)", arguments: [fingerprint])
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('mentions_through_file', '0')")
        }
        let through = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'mentions_through_file'") ?? "0") ?? 0
        let brandKeys = try Int64.fetchAll(db, sql: "SELECT brand_key FROM dim_brand ORDER BY brand_key")
        let matchers = brands.map { TermMatcher(terms: $0.aliases) }
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO fact_brand_mention (activity_key, brand_key) VALUES (?, ?)")
        let insertTerm = try db.makeStatement(sql: "INSERT OR IGNORE INTO fact_term_mention (activity_key, stance) VALUES (?, ?)")
        let stances = [("current", TermMatcher(terms: perception.current)), ("aspired", TermMatcher(terms: perception.aspired))]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT activity_key, title, body FROM fact_group_activity WHERE load_file_id > ?
            """, arguments: [through])
        while let row = try rows.next() {
            let title: String = row[1]
            let body: String = row[2]
            for (index, matcher) in matchers.enumerated() where matcher.matches(title, body) {
                try insert.execute(arguments: [row[0] as Int64, brandKeys[index]])
            }
            for (stance, matcher) in stances where matcher.matches(title, body) {
                try insertTerm.execute(arguments: [row[0] as Int64, stance])
            }
        }
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(load_file_id) FROM load_files") ?? 0
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('mentions_through_file', ?)", arguments: [String(newest)])
    }
}
