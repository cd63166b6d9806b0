import FootprintConfig
import FootprintNormalize
import GRDB

/// Keeps what the config defines — tracked brands and their accounts, perception terms,
/// goals, topics — in step with the database, and records what they match: which group
/// activities mention a brand, a positioning term or a topic keyword (whole-word text
/// search), which content items are a goal's or a topic's pages (PagePattern). Matching
/// runs here in Swift, once per new activity or content item, never in report SQL;
/// when a definition in the config changes, everything is matched again.
extension Warehouse {
    /// Returns whether kept handles were erased (the caller then checkpoints the WAL, so
    /// that no copy of them stays in the file).
    @discardableResult
    func refreshDefinitions(_ db: Database, config: FootprintConfig, hasher: PersonHasher) throws -> Bool {
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
        if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'definitions_fingerprint'") != fingerprint {
            for table in ["fact_brand_mention", "fact_term_mention", "fact_topic_mention", "content_goal", "content_topic",
                          "dim_brand_account", "dim_brand_domain", "dim_brand", "dim_goal", "dim_topic", "dim_owned_host"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            for (index, brand) in brands.enumerated() {
                try db.execute(sql: "INSERT INTO dim_brand (name, is_self) VALUES (?, ?)", arguments: [brand.name, brand.isSelf ? 1 : 0])
                let key = db.lastInsertedRowID
                for domain in Set(brand.domains) {
                    try db.execute(sql: "INSERT INTO dim_brand_domain (brand_key, domain) VALUES (?, ?)", arguments: [key, domain])
                }
                for person in accountKeys[index] {
                    try db.execute(sql: "INSERT INTO dim_brand_account (brand_key, person_key) VALUES (?, ?)", arguments: [key, person])
                }
            }
            for host in config.properties.keys {
                try db.execute(sql: "INSERT INTO dim_owned_host (host) VALUES (?)", arguments: [host])
            }
            // Keys by position: what the sessionizer derived with them (goal bits, topic
            // visitors) stays right when only names, aliases or keywords change; a change
            // of pages or order cuts sessions again (below).
            for (bit, goal) in config.goals.enumerated() {
                try db.execute(sql: "INSERT INTO dim_goal (goal_key, name, bit) VALUES (?, ?, ?)", arguments: [bit + 1, goal.name, bit])
            }
            for (index, topic) in config.topics.enumerated() {
                try db.execute(sql: "INSERT INTO dim_topic (topic_key, name) VALUES (?, ?)", arguments: [index + 1, topic.name])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('definitions_fingerprint', ?)", arguments: [fingerprint])
            // Which goals a visit reached and who viewed a topic's pages are worked out
            // while sessions are cut: with other goals or topic pages, every visitor's
            // sessions are cut again (by the sessionizer, next).
            let cut = (config.goals.map { "goal \($0.name)|\($0.pages.joined(separator: " "))" }
                + config.topics.map { "topic \($0.name)|\($0.pages.joined(separator: " "))" }).joined(separator: "\n")
            if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'cut_fingerprint'") != cut {
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('cut_fingerprint', ?)", arguments: [cut])
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) SELECT 'first_load_pending', 'everyone' WHERE EXISTS (SELECT 1 FROM fact_page_view)")
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('mentions_through_file', '0')")
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('pages_through_content', '0')")
        }
        try matchNewActivities(db, config: config)
        try matchNewContent(db, config: config)
        // Handles are kept only while the config asks to show them.
        // Overwritten, not only unlinked (secure_delete), so no handle lingers in the file.
        if !config.privacy.showActorHandles, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM dim_actor_handle)") == true {
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            try db.execute(sql: "DELETE FROM dim_actor_handle")
            // Cached report rows name actors by their handles too.
            try Warehouse.dropReportCache(db)
            return true
        }
        return false
    }

    /// Copies every committed page into the database file and empties the WAL: after an
    /// erasure, the WAL and the file's older page versions would still hold what was
    /// erased (secure_delete overwrites only the current page).
    func checkpointErasure() throws {
        try queue.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Brand, perception-term and topic-keyword mentions of the activities loaded since the last pass.
    private func matchNewActivities(_ db: Database, config: FootprintConfig) throws {
        let through = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'mentions_through_file'") ?? "0") ?? 0
        let brandKeys = try Int64.fetchAll(db, sql: "SELECT brand_key FROM dim_brand ORDER BY brand_key")
        let topicKeys = try Int64.fetchAll(db, sql: "SELECT topic_key FROM dim_topic ORDER BY topic_key")
        let brands = config.brands.map { TermMatcher(terms: $0.aliases) }
        let topics = config.topics.map { TermMatcher(terms: $0.keywords) }
        let stances = [("current", TermMatcher(terms: config.perception.current)), ("aspired", TermMatcher(terms: config.perception.aspired))]
        let insertBrand = try db.makeStatement(sql: "INSERT OR IGNORE INTO fact_brand_mention (activity_key, brand_key) VALUES (?, ?)")
        let insertTerm = try db.makeStatement(sql: "INSERT OR IGNORE INTO fact_term_mention (activity_key, stance) VALUES (?, ?)")
        let insertTopic = try db.makeStatement(sql: "INSERT OR IGNORE INTO fact_topic_mention (activity_key, topic_key) VALUES (?, ?)")
        let rows = try Row.fetchCursor(db, sql: "SELECT activity_key, title, body FROM fact_group_activity WHERE load_file_id > ?",
                                       arguments: [through])
        while let row = try rows.next() {
            let activity: Int64 = row[0]
            let title: String = row[1]
            let body: String = row[2]
            if title.isEmpty && body.isEmpty { continue }
            for (index, matcher) in brands.enumerated() where matcher.matches(title, body) {
                try insertBrand.execute(arguments: [activity, brandKeys[index]])
            }
            for (stance, matcher) in stances where matcher.matches(title, body) {
                try insertTerm.execute(arguments: [activity, stance])
            }
            for (index, matcher) in topics.enumerated() where matcher.matches(title, body) {
                try insertTopic.execute(arguments: [activity, topicKeys[index]])
            }
        }
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(load_file_id) FROM load_files") ?? 0
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('mentions_through_file', ?)", arguments: [String(newest)])
    }

    /// Goal and topic pages among the content items added since the last pass.
    private func matchNewContent(_ db: Database, config: FootprintConfig) throws {
        let goals = config.goals.map { $0.pages.compactMap(PagePattern.init) }
        let topics = config.topics.map { $0.pages.compactMap(PagePattern.init) }
        let through = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'pages_through_content'") ?? "0") ?? 0
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(content_key) FROM dim_content") ?? 0
        if newest <= through { return }
        if goals.contains(where: { !$0.isEmpty }) || topics.contains(where: { !$0.isEmpty }) {
            let goalKeys = try Int64.fetchAll(db, sql: "SELECT goal_key FROM dim_goal ORDER BY goal_key")
            let topicKeys = try Int64.fetchAll(db, sql: "SELECT topic_key FROM dim_topic ORDER BY topic_key")
            let insertGoal = try db.makeStatement(sql: "INSERT OR IGNORE INTO content_goal (content_key, goal_key) VALUES (?, ?)")
            let insertTopic = try db.makeStatement(sql: "INSERT OR IGNORE INTO content_topic (content_key, topic_key) VALUES (?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT content_key, url FROM dim_content WHERE content_key > ?", arguments: [through])
            while let row = try rows.next() {
                let content: Int64 = row[0]
                let url: String = row[1]
                for (index, patterns) in goals.enumerated() where patterns.contains(where: { $0.matches(url) }) {
                    try insertGoal.execute(arguments: [content, goalKeys[index]])
                }
                for (index, patterns) in topics.enumerated() where patterns.contains(where: { $0.matches(url) }) {
                    try insertTopic.execute(arguments: [content, topicKeys[index]])
                }
            }
        }
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('pages_through_content', ?)", arguments: [String(newest)])
    }

    /// The goal and topic pages of the config that match no content item loaded so
    /// far (a typo, or a page nobody visited yet), as "goal 'newsletter': page …": the
    /// run's summary shows them rather than a report of silent zeros.
    public func unmatchedPages(config: FootprintConfig) throws -> [String] {
        let patterns = config.goals.flatMap { goal in goal.pages.map { ("goal '\(goal.name)'", $0) } }
            + config.topics.flatMap { topic in topic.pages.map { ("topic '\(topic.name)'", $0) } }
        if patterns.isEmpty { return [] }
        var unmatched = patterns.map { (owner: $0.0, page: $0.1, pattern: PagePattern($0.1)) }
        try queue.read { db in
            let urls = try String.fetchCursor(db, sql: "SELECT url FROM dim_content")
            while let url = try urls.next(), !unmatched.isEmpty {
                unmatched.removeAll { $0.pattern?.matches(url) == true }
            }
        }
        return unmatched.map { "\($0.owner): page \($0.page) matches no page loaded so far" }
    }
}
