import FootprintInput
import FootprintNormalize

/// The canonical event of each kind, from a record's columns (RecordMapper's field helpers).
extension RecordMapper {
    func mapWeb(_ record: SourceRecord, referrer: CanonicalURL?) throws(RowRejection) -> WebEvent {
        let occurredAt = try timestamp(record)
        let visitor = try requiredPerson(.visitorID, record)
        let page = try requiredURL(.url, record)
        var engaged: Double?
        // Read from the bytes: most values are plain decimals (DecimalText), and making a
        // String for Double(_:) cost more than the rest of the field's handling.
        let plain = accessor(.engagedSeconds).withTrimmedBytes(in: record) { bytes in bytes.map(DecimalText.value(of:)) }
        if let plain {
            if let seconds = plain {
                engaged = seconds
            } else {
                let text = value(.engagedSeconds, record) ?? ""
                guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
                    throw RowRejection("engaged_seconds '\(text.prefix(50))' is not a non-negative number")
                }
                engaged = seconds
            }
        }
        let identity = identity(idColumn: .eventID, record)
        return WebEvent(identity: identity, occurredAt: occurredAt, visitor: visitor,
                        sessionID: value(.sessionID, record), page: page,
                        referrer: referrer ?? taggedSource(record),
                        place: place(record), engagedSeconds: engaged,
                        day: zone.localDate(ofUTC: occurredAt), identityKey: StableHash.rowKey(identity))
    }

    func mapClick(_ record: SourceRecord, referrer: CanonicalURL?) throws(RowRejection) -> ClickEvent {
        let occurredAt = try timestamp(record)
        let short = try requiredURL(.shortURL, record)
        let target = try requiredURL(.longURL, record)
        let identity = identity(idColumn: .clickID, record)
        return ClickEvent(identity: identity, occurredAt: occurredAt, shortLink: short,
                          target: target, referrer: referrer,
                          channel: (value(.channel, record) ?? "").lowercased(), place: place(record),
                          day: zone.localDate(ofUTC: occurredAt), identityKey: StableHash.rowKey(identity))
    }

    func mapGroup(_ record: SourceRecord) throws(RowRejection) -> GroupEvent {
        let activity = try required(.activityID, record)
        let occurredAt = try timestamp(record)
        let group = try required(.group, record)
        let actor = try requiredPerson(.actorID, record)
        let action = try required(.action, record).lowercased()
        var count = 1
        if let text = value(.count, record) {
            guard let parsed = Int(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }),
                  parsed >= 0 else {
                throw RowRejection("count '\(text.prefix(50))' is not a non-negative whole number")
            }
            count = parsed
        }
        let platform = (value(.platform, record) ?? "").lowercased()
        var shared: CanonicalURL?
        if let raw = value(.url, record) {
            guard let url = canonicalURL(raw) else { throw RowRejection("url '\(raw.prefix(200))' is not an absolute URL") }
            shared = url
        }
        // A thread's first message names itself as its thread (Slack's thread_ts), and
        // WordPress writes parent 0 for a comment on the post itself: both answer nothing.
        let identity = platform + "\u{1F}" + activity
        return GroupEvent(identity: identity, activityID: activity, occurredAt: occurredAt,
                          platform: platform, group: group, actor: actor, action: action,
                          parentID: value(.parentID, record).flatMap { $0 == activity || $0 == "0" ? nil : $0 },
                          title: value(.title, record) ?? "",
                          text: value(.text, record) ?? "", sharedURL: shared, count: count, place: place(record),
                          day: zone.localDate(ofUTC: occurredAt), identityKey: StableHash.rowKey(identity),
                          actorHandle: keepsHandles ? value(.actorID, record).map(PersonHasher.normalizedID) : nil)
    }

    func mapSubscription(_ record: SourceRecord) throws(RowRejection) -> SubscriptionEvent {
        let subscriber = try requiredPerson(.subscriberID, record)
        let subscribedAt = try timestamp(record, .subscribedAt)
        var unsubscribedAt: Int64?
        if value(.unsubscribedAt, record) != nil {
            let ended = try timestamp(record, .unsubscribedAt)
            guard ended >= subscribedAt else {
                throw RowRejection("unsubscribed_at '\(value(.unsubscribedAt, record) ?? "")' is before subscribed_at '\(value(.subscribedAt, record) ?? "")'")
            }
            unsubscribedAt = ended
        }
        let list = (value(.list, record) ?? "default").lowercased()
        // The hash, not the address: source_id is stored, and an address must not be.
        let identity = list + "\u{1F}" + subscriber.hash + "\u{1F}" + String(subscribedAt)
        return SubscriptionEvent(identity: identity, subscriber: subscriber, list: list, subscribedAt: subscribedAt,
                                 subscribedDay: zone.localDate(ofUTC: subscribedAt), unsubscribedAt: unsubscribedAt,
                                 unsubscribedDay: unsubscribedAt.map(zone.localDate(ofUTC:)),
                                 identityKey: StableHash.rowKey(identity))
    }

    func mapOutcome(_ record: SourceRecord) throws(RowRejection) -> OutcomeEvent {
        let dateText = try required(.date, record)
        let day: CivilDate
        if let plain = Self.plainDate(dateText) {
            day = plain
        } else {
            // A timestamp: the day it falls on in the configured zone.
            day = zone.localDate(ofUTC: try timestamp(record, .date))
        }
        let metric = try required(.metric, record).lowercased()
        let valueText = try required(.value, record)
        guard let number = Double(valueText), number.isFinite, !valueText.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
            throw RowRejection("value '\(valueText.prefix(50))' is not a number (write 1234.5: a dot for decimals, no thousands separators or currency)")
        }
        // The n-th row of this file with this content is the n-th such result: a file
        // loaded again, or an overlapping export, finds the same identities.
        let content = "\(day.key)\u{1F}\(metric)\u{1F}\(number)"
        let key = OutcomeContent(high: StableHash.hash64(content, seed: 0x9E37_79B9_7F4A_7C15),
                                 low: StableHash.hash64(content, seed: 0x632B_E59B_D9B4_E019))
        let occurrence = (outcomeOccurrences[key] ?? 0) + 1
        outcomeOccurrences[key] = occurrence
        let identity = content + "\u{1F}" + String(occurrence)
        return OutcomeEvent(identity: identity, day: day, metric: metric, value: number, identityKey: StableHash.rowKey(identity))
    }

    /// `2024-05-01`: a day as given, not an instant.
    static func plainDate(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }
}

/// The content of an outcome row, hashed to 128 bits (RecordMapper.outcomeOccurrences).
struct OutcomeContent: Hashable {
    let high: UInt64
    let low: UInt64
}
