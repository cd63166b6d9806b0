/// A key → surrogate-key cache with bounded memory that keeps recently used entries:
/// two generations; when the young one fills up it becomes the old one and the previous
/// old one is dropped; a hit in the old generation moves the entry back to the young.
/// Memory stays under 2 × `limit` entries, and a working set below `limit` always hits.
struct BoundedCache<Key: Hashable> {
    private var young: [Key: Int64] = [:]
    private var old: [Key: Int64] = [:]
    let limit: Int

    init(limit: Int) { self.limit = limit }

    mutating func get(_ key: Key) -> Int64? {
        if let value = young[key] { return value }
        if let value = old[key] {
            insert(key, value)
            return value
        }
        return nil
    }

    mutating func insert(_ key: Key, _ value: Int64) {
        if young.count >= limit {
            old = young
            young = Dictionary(minimumCapacity: limit)
        }
        young[key] = value
    }

    mutating func removeAll() {
        young = [:]
        old = [:]
    }
}
