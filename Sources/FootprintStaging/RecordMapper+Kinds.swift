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
        // A thread's first message names itself as its thread (Slack's thread_ts): it
        // answers nothing.
        let identity = platform + "\u{1F}" + activity
        return GroupEvent(identity: identity, activityID: activity, occurredAt: occurredAt,
                          platform: platform, group: group, actor: actor, action: action,
                          parentID: value(.parentID, record).flatMap { $0 == activity ? nil : $0 },
                          title: value(.title, record) ?? "",
                          text: value(.text, record) ?? "", sharedURL: shared, count: count, place: place(record),
                          day: zone.localDate(ofUTC: occurredAt), identityKey: StableHash.rowKey(identity))
    }
}
