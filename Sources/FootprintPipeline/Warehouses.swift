import Foundation
import FootprintWarehouse

/// `--db` names an SQLite file (the default) or a PostgreSQL database by URI
/// (CONTRACT.md section 6). This opens either, with its run lock: one footprint run at
/// a time per database (a lock file beside SQLite's, an advisory lock on PostgreSQL).
public enum Warehouses {
    /// Whether `db` names a PostgreSQL database rather than an SQLite file.
    public static func isServer(_ db: String) -> Bool { PostgresWarehouse.isURI(db) }

    /// A warehouse opened and locked for one run; keep it as long as the run lasts.
    public struct Locked {
        public let warehouse: WarehouseEngine
        let lock: AnyObject
    }

    /// Takes the run lock (waiting up to `waitSeconds` for another run), then opens the
    /// warehouse, creating or upgrading its schema.
    public static func openLocked(_ db: String, waitSeconds: Int, fileMode: UInt16 = 0o600) throws -> Locked {
        if isServer(db) {
            let warehouse = try PostgresWarehouse(conninfo: db)
            return Locked(warehouse: warehouse, lock: try warehouse.lockRun(waitSeconds: waitSeconds))
        }
        let lock = try RunLock(databasePath: db, waitSeconds: waitSeconds, fileMode: fileMode)
        return Locked(warehouse: try Warehouse(path: db, fileMode: fileMode), lock: lock)
    }

    /// Opens the warehouse without the run lock (reading only: status).
    public static func open(_ db: String) throws -> WarehouseEngine {
        isServer(db) ? try PostgresWarehouse(conninfo: db) : try Warehouse(path: db)
    }

    /// Whether there is a database to read: an SQLite file must exist; a server
    /// database is asked when it is opened.
    public static func exists(_ db: String) -> Bool {
        isServer(db) || FileManager.default.fileExists(atPath: db)
    }
}
