import FootprintConfig
import FootprintNormalize

/// Keeps what the config defines — tracked brands and their accounts, perception terms,
/// goals, topics — in step with the database, and records what they match: which group
/// activities mention a brand, a positioning term or a topic keyword (whole-word text
/// search), which content items are a goal's or a topic's pages (PagePattern). Matching
/// runs here in Swift, once per new activity or content item, never in report SQL;
/// when a definition in the config changes, everything is matched again.
/// Runs on any engine (SQLConnection): reads are gathered before writes, as PostgreSQL
/// cannot run a statement while a query streams on the same connection.
enum Definitions {
    /// Returns whether kept handles were erased (the SQLite caller then checkpoints the
    /// WAL, so that no copy of them stays in the file).
    @discardableResult
    static func refresh(_ db: SQLConnection, config: FootprintConfig, hasher: PersonHasher) throws -> Bool {
        let brands = config.brands
        let accountKeys = brands.map { brand in Set(brand.accounts.map { hasher.person($0).key }).sorted() }
        // Accounts by their keys: an account may be an e-mail address, which is not
        // stored in clear anywhere, this fingerprint included.
        var parts = brands.enumerated().map { index, brand in
            "brand \(brand.name)|\(brand.isSelf)|\(brand.aliases.joined(separator: ","))|\(brand.domains.joined(separator: ","))|\(accountKeys[index].map(String.init).joined(separator: ","))"
        }
        parts.append("current:" + config.perception.current.joined(separator: ","))
        parts.append("aspired:" + config.perception.aspired.joined(separator: ","))
        parts.append("owned:" + config.properties.keys.sorted().joined(separator: ","))
        parts += config.goals.map { "goal \($0.name)|\($0.pages.joined(separator: " "))" }
        parts += config.topics.map { "topic \($0.name)|\($0.pages.joined(separator: " "))|\($0.keywords.joined(separator: ","))" }
        let fingerprint = parts.joined(separator: "\n")
        if try Meta.get(db, "definitions_fingerprint") != fingerprint {
            for table in ["fact_brand_mention", "fact_term_mention", "fact_topic_mention", "content_goal", "content_topic",
                          "dim_brand_account", "dim_brand_domain", "dim_brand", "dim_goal", "dim_topic", "dim_owned_host"] {
                try db.execute("DELETE FROM \(table)")
            }
            for (index, brand) in brands.enumerated() {
                // Keys by position, as goals and topics: the same on every engine.
                let key = SQLValue(index + 1)
                try db.execute("INSERT INTO dim_brand (brand_key, name, is_self) VALUES (:key, :name, :isSelf)",
                               ["key": key, "name": .text(brand.name), "isSelf": SQLValue(brand.isSelf ? 1 : 0)])
                try db.insert(into: "dim_brand_domain", columns: ["brand_key", "domain"],
                              rows: Set(brand.domains).sorted().map { [key, .text($0)] })
                try db.insert(into: "dim_brand_account", columns: ["brand_key", "person_key"],
                              rows: accountKeys[index].map { [key, .integer($0)] })
            }
            try db.insert(into: "dim_owned_host", columns: ["host"], rows: config.properties.keys.sorted().map { [.text($0)] })
            // Keys by position: what the sessionizer derived with them (goal bits, topic
            // visitors) stays right when only names, aliases or keywords change; a change
            // of pages or order cuts sessions again (below).
            try db.insert(into: "dim_goal", columns: ["goal_key", "name", "bit"],
                          rows: config.goals.enumerated().map { [SQLValue($0.offset + 1), .text($0.element.name), SQLValue($0.offset)] })
            try db.insert(into: "dim_topic", columns: ["topic_key", "name"],
                          rows: config.topics.enumerated().map { [SQLValue($0.offset + 1), .text($0.element.name)] })
            try Meta.set(db, "definitions_fingerprint", fingerprint)
            // Which goals a visit reached and who viewed a topic's pages are worked out
            // while sessions are cut: with other goals or topic pages, every visitor's
            // sessions are cut again (by the sessionizer, next).
            let cut = (config.goals.map { "goal \($0.name)|\($0.pages.joined(separator: " "))" }
                + config.topics.map { "topic \($0.name)|\($0.pages.joined(separator: " "))" }).joined(separator: "\n")
            if try Meta.get(db, "cut_fingerprint") != cut {
                try Meta.set(db, "cut_fingerprint", cut)
                if try db.value("SELECT 1 FROM fact_page_view LIMIT 1") != .null {
                    try Meta.set(db, "first_load_pending", "everyone")
                }
            }
            try Meta.set(db, "mentions_through_file", "0")
            try Meta.set(db, "pages_through_content", "0")
        }
        try matchNewActivities(db, config: config)
        try matchNewContent(db, config: config)
        // Handles are kept only while the config asks to show them.
        if !config.privacy.showActorHandles, try db.value("SELECT 1 FROM dim_actor_handle LIMIT 1") != .null {
            // Overwritten, not only unlinked (SQLite's secure_delete), so no handle
            // lingers in the file.
            if db.engine == .sqlite { try db.execute("PRAGMA secure_delete = ON") }
            defer { if db.engine == .sqlite { try? db.execute("PRAGMA secure_delete = OFF") } }
            try db.execute("DELETE FROM dim_actor_handle")
            // Cached report rows name actors by their handles too.
            try dropReportCache(db)
            return true
        }
        return false
    }

    /// Brand, perception-term and topic-keyword mentions of the activities loaded since the last pass.
    private static func matchNewActivities(_ db: SQLConnection, config: FootprintConfig) throws {
        let through = Int64(try Meta.get(db, "mentions_through_file") ?? "0") ?? 0
        // No file since the last pass (a report after its night's ingest): nothing to
        // read. SQLite has no index by file and scanned every activity to find none
        // (0.02 s at 2 million page views of history).
        let newest = try db.value("SELECT MAX(load_file_id) FROM load_files").int64 ?? 0
        if newest <= through { return }
        let brandKeys = try db.rows("SELECT brand_key FROM dim_brand ORDER BY brand_key").map { $0[0] }
        let topicKeys = try db.rows("SELECT topic_key FROM dim_topic ORDER BY topic_key").map { $0[0] }
        let brands = config.brands.map { TermMatcher(terms: $0.aliases) }
        let topics = config.topics.map { TermMatcher(terms: $0.keywords) }
        let stances = [("current", TermMatcher(terms: config.perception.current)), ("aspired", TermMatcher(terms: config.perception.aspired))]
        var brandRows: [[SQLValue]] = [], termRows: [[SQLValue]] = [], topicRows: [[SQLValue]] = []
        // A night's few activities through fact_group_activity_by_file (`+activity_key`:
        // SQLite would rather scan every activity in key order than sort a few; a whole
        // rematch, all 107,000 activities of 2 million page views, takes 0.06 s this way
        // against 0.035 s by a scan, once per config change).
        try db.forEachRow("SELECT activity_key, title, body FROM fact_group_activity WHERE load_file_id > :through ORDER BY +activity_key",
                          ["through": .integer(through)]) { row in
            let activity = row.value(0)
            let title = row.text(1), body = row.text(2)
            if title.isEmpty && body.isEmpty { return }
            for (index, matcher) in brands.enumerated() where matcher.matches(title, body) {
                brandRows.append([activity, brandKeys[index]])
            }
            for (stance, matcher) in stances where matcher.matches(title, body) {
                termRows.append([activity, .text(stance)])
            }
            for (index, matcher) in topics.enumerated() where matcher.matches(title, body) {
                topicRows.append([activity, topicKeys[index]])
            }
        }
        try db.insert(into: "fact_brand_mention", columns: ["activity_key", "brand_key"], rows: brandRows)
        try db.insert(into: "fact_term_mention", columns: ["activity_key", "stance"], rows: termRows)
        try db.insert(into: "fact_topic_mention", columns: ["activity_key", "topic_key"], rows: topicRows)
        try Meta.set(db, "mentions_through_file", String(newest))
    }

    /// Goal and topic pages among the content items added since the last pass.
    private static func matchNewContent(_ db: SQLConnection, config: FootprintConfig) throws {
        let goals = config.goals.map { $0.pages.compactMap(PagePattern.init) }
        let topics = config.topics.map { $0.pages.compactMap(PagePattern.init) }
        let through = Int64(try Meta.get(db, "pages_through_content") ?? "0") ?? 0
        let newest = try db.value("SELECT MAX(content_key) FROM dim_content").int64 ?? 0
        if newest <= through { return }
        if goals.contains(where: { !$0.isEmpty }) || topics.contains(where: { !$0.isEmpty }) {
            let goalKeys = try db.rows("SELECT goal_key FROM dim_goal ORDER BY goal_key").map { $0[0] }
            let topicKeys = try db.rows("SELECT topic_key FROM dim_topic ORDER BY topic_key").map { $0[0] }
            var goalRows: [[SQLValue]] = [], topicRows: [[SQLValue]] = []
            try db.forEachRow("SELECT content_key, url FROM dim_content WHERE content_key > :through ORDER BY content_key",
                              ["through": .integer(through)]) { row in
                let content = row.value(0)
                let url = row.text(1)
                for (index, patterns) in goals.enumerated() where patterns.contains(where: { $0.matches(url) }) {
                    goalRows.append([content, goalKeys[index]])
                }
                for (index, patterns) in topics.enumerated() where patterns.contains(where: { $0.matches(url) }) {
                    topicRows.append([content, topicKeys[index]])
                }
            }
            try db.insert(into: "content_goal", columns: ["content_key", "goal_key"], rows: goalRows)
            try db.insert(into: "content_topic", columns: ["content_key", "topic_key"], rows: topicRows)
        }
        try Meta.set(db, "pages_through_content", String(newest))
    }
}

extension WarehouseEngine {
    /// The goal and topic pages of the config that match no content item loaded so
    /// far (a typo, or a page nobody visited yet), as "goal 'newsletter': page …": the
    /// run's summary shows them rather than a report of silent zeros.
    public func unmatchedPages(config: FootprintConfig) throws -> [String] {
        let patterns = config.goals.flatMap { goal in goal.pages.map { ("goal '\(goal.name)'", $0) } }
            + config.topics.flatMap { topic in topic.pages.map { ("topic '\(topic.name)'", $0) } }
        if patterns.isEmpty { return [] }
        var unmatched = patterns.map { (owner: $0.0, page: $0.1, pattern: PagePattern($0.1)) }
        try reading { db in
            try db.forEachRow("SELECT url FROM dim_content", [:]) { row in
                guard !unmatched.isEmpty else { return }
                let url = row.text(0)
                unmatched.removeAll { $0.pattern?.matches(url) == true }
            }
        }
        return unmatched.map { "\($0.owner): page \($0.page) matches no page loaded so far" }
    }
}
