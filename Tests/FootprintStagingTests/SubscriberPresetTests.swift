import Foundation
import Testing
import FootprintConfig
import FootprintInput
import FootprintNormalize
import FootprintTestSupport
@testable import FootprintStaging

/// The presets for subscriber exports and blog comments, on fixtures shaped like the real
/// exports (Mailchimp's audience export columns, Substack's email_list CSV, the
/// WordPress.com subscribers endpoint, the WordPress comments endpoint).
@Suite struct SubscriberPresetTests {
    /// The file's staged rows, read through `preset` (nil: canonical columns).
    func stage(_ preset: String?, file: String, _ text: String, timezone: String = "UTC") throws -> [StagedRow] {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let path = folder.file(file)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var config = DefaultConfig.load()
        if let preset { config.inputs = [try #require(Presets.spec(named: preset))] }
        let reader = try StagedFileReader(path: path, kindOverride: nil, config: config,
                                          zone: try #require(ZoneClock(identifier: timezone)), persons: testPersons())
        var rows: [StagedRow] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    func subscription(_ row: StagedRow) -> SubscriptionEvent? {
        if case .event(_, .subscription(let event)) = row { return event }
        return nil
    }

    @Test func mailchimpSubscribedAndUnsubscribedExports() throws {
        let header = "\"Email Address\",\"First Name\",\"Last Name\",MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES"
        let subscribed = try stage("mailchimp", file: "subscribed_members_export_1a2b.csv", """
            \(header)
            Jane@Example.com,Jane,Doe,4,"2024-05-01 09:00:00",203.0.113.9,"2024-05-01 09:05:00",203.0.113.9,,,,,,DE,,"2024-05-01 09:05:00",11,aa,
            sam@example.com,Sam,Roe,2,,,,,,,,,,US,,"2024-05-03 12:00:00",12,bb,

            """, timezone: "Europe/Berlin")
        let jane = try #require(subscription(subscribed[0]))
        // The confirmation, in the configured zone: 09:05 in Berlin is 07:05Z.
        #expect(jane.subscribedAt == 1_714_547_100)
        #expect(jane.subscriber == testHasher.person("jane@example.com"))
        #expect(jane.list == "newsletter")
        #expect(jane.unsubscribedAt == nil)
        // No opt-in or confirmation time (added by hand): when the row last changed.
        #expect(try #require(subscription(subscribed[1])).subscribedAt == 1_714_730_400)
        let unsubscribed = try stage("mailchimp", file: "unsubscribed_members_export_1a2b.csv", """
            \(header),UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER
            jane@example.com,Jane,Doe,4,"2024-05-01 09:00:00",203.0.113.9,"2024-05-01 09:05:00",203.0.113.9,,,,,,DE,,"2024-06-10 08:00:00",11,aa,,"2024-06-10 08:00:00",June news,c1,NORMAL,

            """, timezone: "Europe/Berlin")
        let left = try #require(subscription(unsubscribed[0]))
        // Same identity as in the subscribed export: the loader fills in when she left.
        #expect(left.identity == jane.identity)
        #expect(left.unsubscribedAt == 1_717_999_200)  // 08:00 in Berlin (summer time) is 06:00Z
    }

    @Test func substackEmailList() throws {
        let rows = try stage("substack", file: "email_list.acme.csv", """
            email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at
            free.reader@example.com,false,,other,false,2025-01-01,
            Case.Mixed@Example.com,true,2026-01-01,monthly,false,2025-01-01T10:00:00.000Z,2025-01-02T00:00:00.000Z

            """)
        #expect(rows.count == 2)
        #expect(try #require(subscription(rows[0])).subscribedAt == 1_735_689_600)
        let mixed = try #require(subscription(rows[1]))
        #expect(mixed.subscriber == testHasher.person("case.mixed@example.com"))
        #expect(mixed.subscribedAt == 1_735_725_600)
    }

    @Test func wordpressSubscribersFromTheRESTAPI() throws {
        let rows = try stage("wordpress-subscribers", file: "subscribers.json", """
            [{"user_id":0,"subscription_id":901,"email_address":"reader@example.org","date_subscribed":"2024-03-02T10:11:12+00:00","display_name":"reader@example.org","avatar":""},
             {"user_id":4711,"subscription_id":902,"email_address":"","date_subscribed":"2024-03-05T08:00:00+00:00","display_name":"wpfan","avatar":""}]
            """)
        let reader = try #require(subscription(rows[0]))
        #expect(reader.subscriber == testHasher.person("reader@example.org"))
        #expect(reader.list == "blog")
        #expect(reader.subscribedAt == 1_709_374_272)
        // A Reader follower without an address is known by the user id.
        #expect(try #require(subscription(rows[1])).subscriber == testHasher.person("4711"))
    }

    @Test func wordpressCommentsBecomeAThreadOnThePost() throws {
        let rows = try stage("wordpress-comments", file: "comments.json", """
            [{"id":31,"post":7,"parent":0,"author":0,"author_name":"Bob","author_email":"Bob@Example.org","date":"2024-05-01T12:00:00","date_gmt":"2024-05-01T10:00:00","content":{"raw":"Great post on logistics","rendered":"<p>Great post on logistics</p>"},"link":"https://blog.acme.example/2024/05/supply-chain/#comment-31","status":"approved","type":"comment"},
             {"id":32,"post":7,"parent":31,"author":2,"author_name":"Acme","author_email":"jane@acme.example","date":"2024-05-01T13:00:00","date_gmt":"2024-05-01T11:00:00","content":{"raw":"Thanks Bob!","rendered":"<p>Thanks Bob!</p>"},"link":"https://blog.acme.example/2024/05/supply-chain/#comment-32","status":"approved","type":"comment"}]
            """, timezone: "Europe/Berlin")
        guard case .event(_, .group(let first)) = rows[0], case .event(_, .group(let reply)) = rows[1] else {
            Issue.record("both comments should map"); return
        }
        // date_gmt is UTC whatever the configured zone.
        #expect(first.occurredAt == 1_714_557_600)
        #expect(first.parentID == nil)  // parent 0: a comment on the post itself
        #expect(first.actor == testHasher.person("bob@example.org"))
        #expect(first.action == "comment")
        #expect(first.group == "Blog comments")
        #expect(first.sharedURL?.text == "https://blog.acme.example/2024/05/supply-chain")
        #expect(first.text == "Great post on logistics")
        #expect(reply.parentID == "31")
        #expect(reply.identity == "wordpress\u{1F}32")
    }

    func reason(_ row: StagedRow) -> String? {
        if case .rejected(_, let reason, _) = row { return reason }
        return nil
    }

    @Test func badSubscriberRowsAreRejectedWithTheirReason() throws {
        let rows = try stage(nil, file: "subscribers.csv", """
            subscriber_id,subscribed_at,unsubscribed_at,list
            ,2024-05-01T00:00:00Z,,rss
            a@example.com,yesterday,,rss
            b@example.com,2024-05-02T00:00:00Z,2024-05-01T00:00:00Z,rss
            c@example.com,2024-05-02T00:00:00Z,,

            """)
        #expect(reason(rows[0]) == "missing required value 'subscriber_id'")
        #expect(reason(rows[1]) == "subscribed_at: timestamp 'yesterday' is not ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds/milliseconds (or names a day that does not exist)")
        #expect(reason(rows[2]) == "unsubscribed_at '2024-05-01T00:00:00Z' is before subscribed_at '2024-05-02T00:00:00Z'")
        // No list: the default one.
        guard case .event(_, .subscription(let plain)) = rows[3] else { Issue.record("row 4 should load"); return }
        #expect(plain.list == "default")
        // A rejected row's text keeps no address.
        if case .rejected(_, _, let raw) = rows[1] { #expect(!raw.contains("a@example.com")) }
    }

    @Test func badOutcomeRowsAreRejectedWithTheirReason() throws {
        let rows = try stage(nil, file: "outcomes.csv", """
            date,metric,value
            2024-05-01,Sales,"1,234"
            2024-05-01,sales,€12
            2024-13-01,sales,5
            2024-05-01,,5
            2024-05-01T23:30:00-02:00,Sales,-12.5

            """)
        #expect(reason(rows[0]) == "value '1,234' is not a number (write 1234.5: a dot for decimals, no thousands separators or currency)")
        #expect(reason(rows[1])?.hasPrefix("value '€12' is not a number") == true)
        // Not a day (month 13), so read as a timestamp, which it is not either.
        #expect(reason(rows[2]) == "date: timestamp '2024-13-01' is not ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds/milliseconds (or names a day that does not exist)")
        #expect(reason(rows[3]) == "missing required value 'metric'")
        // A timestamp is its day in the configured zone (UTC here: 2 May); a negative
        // value (a refund) is a value; the metric is lower-cased.
        guard case .event(_, .outcome(let refund)) = rows[4] else { Issue.record("row 5 should load"); return }
        #expect(refund.day.isoString == "2024-05-02")
        #expect(refund.value == -12.5)
        #expect(refund.metric == "sales")
    }
}
