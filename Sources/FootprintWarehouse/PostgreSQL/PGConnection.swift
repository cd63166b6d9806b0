import CLibPQ
import Foundation

/// One connection to a PostgreSQL server through libpq, PostgreSQL's own client
/// library: it reads connection URIs and `key=value` strings, the `PG*` environment
/// variables and `~/.pgpass`, and negotiates SSL as `sslmode` asks, exactly as psql.
/// Results stream row by row (single-row mode), so a large query never sits in memory.
public final class PGConnection: SQLConnection {
    public let engine = SQLEngine.postgresql
    private let handle: OpaquePointer
    /// Host (or socket folder), port and database, for messages: never the password.
    public let target: String
    /// A COPY left open by `stream(into:)` (its table and statement): the server reads
    /// the rows while the loader stages more. Any other statement ends it first.
    private var openCopy: (table: String, sql: String)?

    public init(_ conninfo: String) throws {
        guard let handle = PQconnectdb(conninfo) else { throw PGError.connection(target: "PostgreSQL", message: "out of memory") }
        self.handle = handle
        target = Self.describe(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            // deinit closes the handle (it runs: every stored property is set).
            throw PGError.connection(target: target, message: Self.message(handle))
        }
        // Reports and keys compare text bytewise and read numbers exactly, whatever the
        // server's defaults: UTF-8, shortest exact floats, UTC. No JIT: the reports' plans
        // cost enough to be compiled, which took over a second a statement and saved
        // milliseconds (groups.csv of 500,000 varied page views: 1.49 s with it, 0.14 s
        // without; the whole report of those 500,000: 3.45 → 1.29 s).
        // On a Citus cluster a load moves each file to the workers, and reports bring
        // CTEs back to the coordinator, as intermediate results, which Citus caps at 1 GB
        // by default: a file of 10 million page views stopped there. A batch job means
        // to move them. (On a server without Citus the setting is a mere placeholder.)
        try execute("""
            SET client_encoding = 'UTF8'; SET extra_float_digits = 1; SET TIME ZONE 'UTC'; SET client_min_messages = warning;
            SET jit = off; SET citus.max_intermediate_result_size = -1
            """)
    }

    deinit { PQfinish(handle) }

    /// `host:port/database` of a connection, or of its socket folder.
    private static func describe(_ handle: OpaquePointer) -> String {
        func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        let host = string(PQhost(handle)), port = string(PQport(handle)), database = string(PQdb(handle))
        return "\(host.isEmpty ? "localhost" : host):\(port.isEmpty ? "5432" : port)/\(database)"
    }

    /// libpq's message on one line (it breaks lines and indents hints).
    private static func message(_ handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).split(whereSeparator: { $0.isNewline || $0 == "\t" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    public func execute(_ sql: String, _ arguments: [String: SQLValue]) throws {
        if sql == "ROLLBACK" { abortCopy() } else { try endCopy() }
        if arguments.isEmpty {
            // Several statements may come in one text; PQexec runs them in order.
            let result = PQexec(handle, sql)
            defer { PQclear(result) }
            try check(result, sql)
            return
        }
        try forEachRow(sql, arguments) { _ in }
    }

    public func forEachRow(_ sql: String, _ arguments: [String: SQLValue], _ body: (SQLRow) throws -> Void) throws {
        try endCopy()
        let query = PGParameters(sql: sql, arguments: arguments)
        try query.withParameters { types, values in
            guard PQsendQueryParams(handle, query.sql, Int32(types.count), types, values, nil, nil, 0) == 1 else {
                throw PGError.server(target: target, message: Self.message(handle), sqlState: "", sql: sql)
            }
        }
        PQsetSingleRowMode(handle)
        var failure: Error?
        // Every result must be read, even after an error, before the connection is free.
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            guard failure == nil else { continue }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                do { try body(Row(result: result)) } catch { failure = error }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                break
            default:
                failure = error(result, sql)
            }
        }
        if let failure { throw failure }
    }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    public func changes(_ sql: String, _ arguments: [String: SQLValue]) throws -> Int {
        try endCopy()
        let query = PGParameters(sql: sql, arguments: arguments)
        let result = try query.withParameters { types, values in
            PQexecParams(handle, query.sql, Int32(types.count), types, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql)
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        try copy(into: table, columns: columns) { send in
            for row in rows { try send(row) }
        }
    }

    /// Copies rows into a table (COPY … FROM STDIN, text format), `send` taking one row
    /// at a time; sent in 256 KB blocks through `stream`. A thrown error abandons the COPY.
    public func copy(into table: String, columns: [String], _ rows: (_ send: ([SQLValue]) throws -> Void) throws -> Void) throws {
        var buffer: [UInt8] = []
        do {
            try rows { row in
                PGCopyText.append(row, to: &buffer)
                if buffer.count >= 256 << 10 {
                    try stream(into: table, columns: columns, text: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if !buffer.isEmpty { try stream(into: table, columns: columns, text: buffer) }
            try endCopy()
        } catch {
            abortCopy()
            throw error
        }
    }

    /// Sends a block of COPY text into `table`, leaving the COPY open for the next block
    /// (see `openCopy`); `endCopy` (or any other statement) completes it.
    func stream(into table: String, columns: [String], text: [UInt8]) throws {
        if openCopy?.table != table {
            try endCopy()
            let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
            let start = PQexec(handle, sql)
            defer { PQclear(start) }
            guard PQresultStatus(start) == PGRES_COPY_IN else { try check(start, sql); return }
            openCopy = (table, sql)
        }
        let sent = text.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else {
            let sql = openCopy?.sql ?? "COPY"
            abortCopy()
            throw PGError.server(target: target, message: Self.message(handle), sqlState: "", sql: sql)
        }
    }

    /// Completes an open COPY and reports what the server made of its rows.
    func endCopy() throws {
        guard let open = openCopy else { return }
        openCopy = nil
        PQputCopyEnd(handle, nil)
        var failure: Error?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if failure == nil, PQresultStatus(result) != PGRES_COMMAND_OK { failure = error(result, open.sql) }
        }
        if let failure { throw failure }
    }

    /// Abandons an open COPY (the transaction is being rolled back).
    private func abortCopy() {
        guard openCopy != nil else { return }
        openCopy = nil
        PQputCopyEnd(handle, "footprint: rolled back")
        while let result = PQgetResult(handle) { PQclear(result) }
    }

    private func check(_ result: OpaquePointer?, _ sql: String) throws {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: throw error(result, sql)
        }
    }

    private func error(_ result: OpaquePointer?, _ sql: String) -> PGError {
        guard let result else { return .server(target: target, message: Self.message(handle), sqlState: "", sql: sql) }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        if PQstatus(handle) != CONNECTION_OK {
            return .connectionLost(target: target, message: message.isEmpty ? Self.message(handle) : message)
        }
        return .server(target: target, message: message, sqlState: state, sql: sql)
    }

    /// A row of a single-row-mode result, its values read as the column types say.
    private struct Row: SQLRow {
        let result: OpaquePointer
        var count: Int { Int(PQnfields(result)) }

        func value(_ column: Int) -> SQLValue {
            let index = Int32(column)
            if PQgetisnull(result, 0, index) == 1 { return .null }
            let text = String(cString: PQgetvalue(result, 0, index))
            switch PQftype(result, index) {
            case 20, 21, 23, 26:  // int8, int2, int4, oid
                return Int64(text).map { .integer($0) } ?? .text(text)
            case 16:  // bool, as SQLite gives comparisons: 1 or 0
                return .integer(text == "t" ? 1 : 0)
            case 700, 701:  // float4, float8
                return Double(text).map { .real($0) } ?? .text(text)
            case 1700:  // numeric: SUM of integers gives it; whole ones stay integers
                if let whole = Int64(text) { return .integer(whole) }
                return Double(text).map { .real($0) } ?? .text(text)
            default:
                return .text(text)
            }
        }
    }
}

public enum PGError: Error, CustomStringConvertible {
    case connection(target: String, message: String)
    case connectionLost(target: String, message: String)
    case server(target: String, message: String, sqlState: String, sql: String)

    public var description: String {
        switch self {
        case .connection(let target, let message):
            return "cannot connect to PostgreSQL at \(target): \(message) — check the host, port and database in --db, that the server runs, and the credentials (the URI, PG* variables or ~/.pgpass)"
        case .connectionLost(let target, let message):
            return "the connection to PostgreSQL at \(target) was lost (\(message)); nothing of the unfinished file was kept, run again"
        case .server(let target, let message, _, let sql):
            return "PostgreSQL at \(target): \(message) (in: \(sql.prefix(120)))"
        }
    }

    /// The SQLSTATE code the server gave ("" when none).
    public var sqlState: String {
        if case .server(_, _, let state, _) = self { return state }
        return ""
    }
}
