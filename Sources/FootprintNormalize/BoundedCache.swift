/// A key → value cache (surrogate keys, hashed ids) with bounded memory that keeps recently used entries:
/// two generations; when the young one fills up it becomes the old one and the previous
/// old one is dropped; a hit in the old generation moves the entry back to the young.
/// Memory stays under 2 × `limit` entries, and a working set below `limit` always hits.
///
/// Inlinable so that the loader (another module) gets code specialised for its key
/// types: unspecialised generic dictionary calls showed in the loader's profile.
public struct BoundedCache<Key: Hashable, Value> {
    @usableFromInline var young: [Key: Value] = [:]
    @usableFromInline var old: [Key: Value] = [:]
    public let limit: Int

    @inlinable public init(limit: Int) { self.limit = limit }

    @inlinable public mutating func get(_ key: Key) -> Value? {
        if let value = young[key] { return value }
        if let value = old[key] {
            insert(key, value)
            return value
        }
        return nil
    }

    @inlinable public mutating func insert(_ key: Key, _ value: Value) {
        if young.count >= limit {
            old = young
            young = Dictionary(minimumCapacity: limit)
        }
        young[key] = value
    }

    @inlinable public mutating func removeAll() {
        young = [:]
        old = [:]
    }
}
