import Foundation

/// Copies every table of an SQLite warehouse into a PostgreSQL one, replacing what the
/// latter held, in one transaction: the way a team that outgrew one file moves its
/// history to a server, and how the tests put the same star schema on both engines.
public enum WarehouseCopy {
    /// What only SQLite's nightly pass keeps (PostgreSQL cuts a visitor's whole history).
    static let sqliteOnly: Set<String> = ["agg_visitor_property"]

    /// Returns the number of rows copied per table.
    @discardableResult
    public static func copy(from source: Warehouse, to target: PostgresWarehouse) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try source.withSecondReportConnection { sqlite in
            // Tables in creation order: a table comes after those it refers to.
            var tables: [String] = []
            try sqlite.forEachRow("""
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'grdb_migrations'
                ORDER BY rowid
                """, [:]) { tables.append($0.text(0)) }
            tables.removeAll { sqliteOnly.contains($0) }
            try target.inTransaction { pg in
                try pg.execute("TRUNCATE \(tables.joined(separator: ", ")) RESTART IDENTITY")
                for table in tables {
                    var columns: [String] = []
                    try sqlite.forEachRow("SELECT name FROM pragma_table_info('\(table)') ORDER BY cid", [:]) { columns.append($0.text(0)) }
                    var count = 0
                    try pg.copy(into: table, columns: columns) { send in
                        try sqlite.forEachRow("SELECT \(columns.joined(separator: ", ")) FROM \(table)", [:]) { row in
                            try send((0..<columns.count).map { row.value($0) })
                            count += 1
                        }
                    }
                    counts[table] = count
                }
                // Identity columns continue after the highest key copied.
                try pg.execute("""
                    DO $$ DECLARE c record; BEGIN
                      FOR c IN SELECT table_name, column_name FROM information_schema.columns
                               WHERE table_schema = current_schema() AND is_identity = 'YES' LOOP
                        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE((SELECT MAX(%I) FROM %I), 0) + 1, false)',
                                       c.table_name, c.column_name, c.column_name, c.table_name);
                      END LOOP;
                    END $$
                    """)
            }
        }
        return counts
    }
}
