import Foundation
import Testing
import FootprintConfig
import FootprintInput
import FootprintNormalize
@testable import FootprintStaging

/// The click presets (bit.ly stream, YOURLS, Shlink) and Slack, each on a fixture shaped
/// like the real export, with the canonical rows asserted.
@Suite struct ClickAndSlackPresetTests {
    /// Writes `text` at `relativePath` in a fresh folder and stages it with `configText`.
    func stage(_ relativePath: String, _ text: String, config configText: String,
               zone: ZoneClock = .utc) throws -> [StagedRow] {
        let folder = NSTemporaryDirectory() + "footprint-preset-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + relativePath
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse(configText)
        let reader = try StagedFileReader(path: path, kindOverride: nil, config: config, zone: zone, persons: testPersons(),
                                          bots: try BotDetector(), spam: ReferrerSpam())
        var rows: [StagedRow] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    func click(_ row: StagedRow) -> ClickEvent? {
        if case .event(_, .click(let click)) = row { return click }
        return nil
    }

    @Test func bitlyStreamLinesBecomeClicksAndHeartbeatsAreSkipped() throws {
        // As published for 1.usa.gov: escaped slashes, short field names, "direct" for no referrer.
        let rows = try stage("usagov_bitly_data2012-03-16-1331923249", #"""
            { "a": "Mozilla\/5.0 (Windows NT 6.1; WOW64) AppleWebKit\/535.11 (KHTML, like Gecko) Chrome\/17.0.963.78 Safari\/535.11", "c": "US", "nk": 1, "tz": "America\/New_York", "gr": "MA", "g": "A6qOVH", "h": "wfLQtf", "l": "orofrog", "al": "en-US,en;q=0.8", "hh": "1.usa.gov", "r": "http:\/\/www.facebook.com\/l\/7AQEFzjSi\/1.usa.gov\/wfLQtf", "u": "http:\/\/www.ncbi.nlm.nih.gov\/pubmed\/22415991", "t": 1331923247, "hc": 1331822918, "cy": "Danvers", "ll": [ 42.576698, -70.954903 ] }
            { "a": "Mozilla\/4.0 (compatible; MSIE 8.0; Windows NT 6.1; WOW64; Trident\/4.0)", "c": "DK", "nk": 0, "tz": "Europe\/Copenhagen", "gr": "17", "g": "2rOUYc", "h": "2rOUYc", "l": "bitly", "al": "da-DK", "hh": "bit.ly", "r": "direct", "u": "http:\/\/www.acme.example\/pricing?utm_source=bitly", "t": 1331923250, "hc": 1331923250, "cy": "Copenhagen", "ll": [ 55.6761, 12.5683 ] }
            { "a": "Mozilla\/5.0 (compatible; Googlebot\/2.1; +http:\/\/www.google.com\/bot.html)", "c": "US", "nk": 0, "hh": "1.usa.gov", "h": "wfLQtf", "r": "direct", "u": "http:\/\/www.ncbi.nlm.nih.gov\/pubmed\/22415991", "t": 1331923251 }
            {"_heartbeat_": 1331923261}

            """#, config: "[[inputs]]\nmatch = \"usagov_*\"\npreset = \"bitly-stream\"\n")
        #expect(rows.count == 4)
        let first = try #require(click(rows[0]))
        #expect(first.shortLink.text == "https://1.usa.gov/wfLQtf")
        #expect(first.target.text == "http://ncbi.nlm.nih.gov/pubmed/22415991")
        #expect(first.referrer?.host == "facebook.com")
        #expect(first.occurredAt == 1_331_923_247)
        #expect(first.place == Place(countryCode: "US", region: "MA", city: "Danvers"))
        #expect(first.identity.hasPrefix("#"))   // no click id in this stream: the content identifies it
        let second = try #require(click(rows[1]))
        #expect(second.shortLink.text == "https://bit.ly/2rOUYc")
        #expect(second.target.text == "http://acme.example/pricing")
        #expect(second.referrer == nil)          // "direct"
        #expect(second.place.countryCode == "DK")
        guard case .filtered(3, let bot) = rows[2] else { Issue.record("line 3 is a bot: \(rows[2])"); return }
        #expect(bot == FilteredTraffic(cause: .bot, source: "Googlebot", occurredAt: 1_331_923_251, host: "1.usa.gov"))
        #expect(rows[3] == .skipped(line: 4, reason: "_heartbeat_ is present", example: "1331923261"))
    }

    /// 3 of 44 bit.ly hourly archives start with a heartbeat: the fit check read only the
    /// first row and failed the whole file (13,708 clicks lost), with the preset and with
    /// a hand-written mapping alike. The fit is judged on the first row the filters keep.
    @Test func anArchiveThatStartsWithAHeartbeatLoads() throws {
        let archive = #"""
            {"_heartbeat_": 1331923201}
            {"_heartbeat_": 1331923261}
            { "a": "Mozilla\/5.0 (Windows NT 6.1; WOW64) AppleWebKit\/535.11 (KHTML, like Gecko) Chrome\/17.0.963.78 Safari\/535.11", "c": "US", "nk": 1, "tz": "America\/New_York", "gr": "MA", "g": "A6qOVH", "h": "wfLQtf", "l": "orofrog", "al": "en-US,en;q=0.8", "hh": "1.usa.gov", "r": "direct", "u": "http:\/\/www.ncbi.nlm.nih.gov\/pubmed\/22415991", "t": 1331923247, "hc": 1331822918, "cy": "Danvers", "ll": [ 42.576698, -70.954903 ] }

            """#
        let handWritten = """
            [[inputs]]
            match = "usagov_*"
            kind = "clicks"
            [inputs.fields]
            timestamp = "t"
            short_url = "https://{hh}/{h}"
            long_url = "u"
            [inputs.where]
            _heartbeat_ = ""
            """
        for config in ["[[inputs]]\nmatch = \"usagov_*\"\npreset = \"bitly-stream\"\n", handWritten] {
            let rows = try stage("usagov_bitly_data2012-03-16-1331923201", archive, config: config)
            #expect(rows.count == 3)
            #expect(rows[0] == .skipped(line: 1, reason: "_heartbeat_ is present", example: "1331923201"))
            #expect(rows[1] == .skipped(line: 2, reason: "_heartbeat_ is present", example: "1331923261"))
            #expect(click(rows[2])?.shortLink.text == "https://1.usa.gov/wfLQtf")
        }
        // A file of another format still stops at once, judged on its first kept row.
        #expect(throws: MappingError.self) {
            try stage("usagov_other", #"{"_heartbeat_": 1}"# + "\n" + #"{"id": 1, "by": "pg"}"# + "\n",
                      config: "[[inputs]]\nmatch = \"usagov_*\"\npreset = \"bitly-stream\"\n")
        }
    }

    /// A Hacker News CSV writes dates as `9/26/2016 3:26`: readable with a format in the
    /// mapping; a value in neither the format nor a standard form is rejected with the value.
    @Test func datesAsPeopleWriteThemReadWithAFormat() throws {
        let rows = try stage("HN_posts.csv", """
            id,title,url,num_points,num_comments,author,created_at
            12579008,You have two days to comment if you want stem cells to be classified as your own,http://www.regulations.gov/document?D=FDA-2015-D-3719-0018,1,0,altstar,9/26/2016 3:26
            12579005,SQLAR  the SQLite Archiver,https://www.sqlite.org/sqlar/doc/trunk/README.md,1,0,blacksqr,9/26/2016 12:04
            12578997,What if we just printed a flatscreen television on the side of our boxes?,https://medium.com/vanmoof/our-secrets-out-f21c1f03fdc8#.ietxmez43,1,0,pavel_lishin,Sept 26 2016

            """, config: """
            [[inputs]]
            match = "HN_*"
            kind = "groups"
            [inputs.fields]
            activity_id = "id"
            timestamp = { path = "created_at", format = "%m/%d/%Y %H:%M" }
            group = { const = "hackernews" }
            actor_id = "author"
            action = { const = "post" }
            title = "title"
            url = "url"
            """)
        #expect(rows.count == 3)
        guard case .event(2, .group(let first)) = rows[0], case .event(3, .group(let second)) = rows[1] else {
            Issue.record("two posts: \(rows)"); return
        }
        #expect(first.occurredAt == 1_474_860_360)    // 2016-09-26T03:26:00Z (the default zone is UTC)
        #expect(second.occurredAt == 1_474_891_440)   // 12:04
        guard case .rejected(4, let reason, _) = rows[2] else { Issue.record("line 4 is rejected: \(rows[2])"); return }
        #expect(reason.hasPrefix("timestamp 'Sept 26 2016' is not"))
    }

    @Test func timeFormatsReadWhatTheySay() throws {
        #expect(try TimeFormat("%m/%d/%Y %H:%M").normalize("8/4/2016 11:52") == "2016-08-04 11:52:00")
        #expect(try TimeFormat("%d.%m.%y %I:%M %p").normalize("04.08.16 11:52 pm") == "2016-08-04 23:52:00")
        #expect(try TimeFormat("%d.%m.%y %I:%M %p").normalize("04.08.16 12:05 AM") == "2016-08-04 00:05:00")
        #expect(try TimeFormat("%d %b %Y").normalize("4 Aug 2016") == "2016-08-04 00:00:00")
        #expect(try TimeFormat("%m/%d/%Y").normalize("13/4/2016") == nil)
        #expect(try TimeFormat("%m/%d/%Y").normalize("8/4/2016 extra") == nil)
        #expect(throws: ConfigError.self) { try TimeFormat("%m/%d %H:%M") }        // no year
        #expect(throws: ConfigError.self) { try TimeFormat("%Y-%m-%d %Q") }        // unknown directive
        do {
            _ = try ConfigLoader.parse("[[inputs]]\nmatch = \"x*\"\nkind = \"web\"\n[inputs.fields]\ntimestamp = { path = \"t\", format = \"%Y-%m-%d %Q\" }\n")
            Issue.record("a bad format must be a config error")
        } catch {
            #expect(error.description == "config: inputs[0].fields.timestamp.format: format '%Y-%m-%d %Q' uses %Q; known: %Y %y %m %d %H %I %p %M %S %b %%")
        }
    }

    @Test func yourlsLogJoinedWithItsUrlsBecomesClicksOnTheShortDomain() throws {
        // phpMyAdmin/Adminer CSV export of the README's query: every field quoted.
        let rows = try stage("yourls-clicks.csv", """
            "click_id","click_time","shorturl","url","referrer","user_agent","ip_address","country_code"
            "1041","2024-05-01 10:00:00","launch","https://blog.acme.example/posts/launch?utm_source=yourls","https://t.co/x1","Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15","81.2.69.142","GB"
            "1042","2024-05-01 10:05:00","launch","https://blog.acme.example/posts/launch?utm_source=yourls","direct","Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0","89.160.20.112",""
            "1043","2024-05-01 10:06:00","launch","https://blog.acme.example/posts/launch","http://semalt.semalt.com/crawler.php?u=acme","Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0","1.2.3.4","RU"

            """, config: "[[inputs]]\nmatch = \"yourls*\"\npreset = \"yourls\"\nhost = \"Acme.link\"\n",
            zone: try #require(ZoneClock(identifier: "Europe/Berlin")))
        #expect(rows.count == 3)
        let first = try #require(click(rows[0]))
        #expect(first.identity == "1041")
        #expect(first.shortLink.text == "https://acme.link/launch")
        #expect(first.target.text == "https://blog.acme.example/posts/launch")
        #expect(first.occurredAt == 1_714_550_400)  // 10:00 in Berlin (CEST) is 08:00Z
        #expect(first.referrer?.host == "t.co")
        #expect(first.place.countryCode == "GB")
        let second = try #require(click(rows[1]))
        #expect(second.referrer == nil)              // YOURLS writes "direct"
        #expect(second.place.countryCode == "ZZ")    // IP only, and no GeoIP database here
        guard case .filtered(4, let spam) = rows[2] else { Issue.record("line 4 is referrer spam: \(rows[2])"); return }
        #expect(spam == FilteredTraffic(cause: .referrerSpam, source: "semalt.com", occurredAt: 1_714_550_760, host: "acme.link"))
        #expect(spam.reason == "referrer spam (semalt.com)")
    }

    @Test func yourlsWithoutTheShortDomainIsOneClearError() throws {
        do {
            _ = try stage("yourls.csv", "click_id,click_time,shorturl,url\n1,2024-05-01 10:00:00,a,https://x.example/\n",
                          config: "[[inputs]]\nmatch = \"yourls*\"\npreset = \"yourls\"\n")
            Issue.record("a YOURLS file without host should fail")
        } catch let error as MappingError {
            #expect(error.reason.contains("add host = \"sho.rt\""))
            #expect(error.reason.contains("preset = \"yourls\""))
        }
    }

    static let shlinkCSV = """
        date,potentialBot,browser,os,referer,country,city,latitude,longitude
        2024-05-01T10:00:00+02:00,false,Chrome,Windows,t.co,Germany,Berlin,52.52,13.405
        2024-05-01T11:00:00+02:00,true,Others,Others,Direct,Unknown,Unknown,,
        2024-05-01T12:00:00+02:00,false,Firefox,Linux,Direct,Spain,Madrid,40.4168,-3.7038

        """

    @Test func shlinkVisitsExportBecomesClicksOfTheShortUrlTheEntryNames() throws {
        let rows = try stage("visits_launch.csv", Self.shlinkCSV, config: """
            [[inputs]]
            match = "visits_launch*"
            preset = "shlink"
            [inputs.fields]
            short_url = { const = "https://s.acme.example/launch" }
            long_url = { const = "https://blog.acme.example/posts/launch" }
            """)
        #expect(rows.count == 3)
        let first = try #require(click(rows[0]))
        #expect(first.shortLink.text == "https://s.acme.example/launch")
        #expect(first.target.text == "https://blog.acme.example/posts/launch")
        #expect(first.occurredAt == 1_714_550_400)
        #expect(first.referrer?.host == "t.co")        // Shlink exports the referring domain only
        #expect(first.place == Place(countryCode: "DE", region: "", city: "Berlin"))
        #expect(rows[1] == .skipped(line: 3, reason: "potentialBot is not 'false'", example: "true"))
        let third = try #require(click(rows[2]))
        #expect(third.referrer == nil)                 // "Direct"
        #expect(third.place.countryCode == "ES")
    }

    @Test func shlinkWithoutTheShortUrlSaysWhatToAdd() throws {
        do {
            _ = try stage("visits_launch.csv", Self.shlinkCSV, config: "[[inputs]]\nmatch = \"visits*\"\npreset = \"shlink\"\n")
            Issue.record("a Shlink export without short_url/long_url constants should fail")
        } catch let error as MappingError {
            #expect(error.reason.contains("lacks the required column(s) short_url, long_url"))
            #expect(error.reason.contains("Shlink's visit export does not name the short URL"))
        }
    }

    @Test func slackChannelDayBecomesAThreadInTheChannelsGroup() throws {
        let rows = try stage("export/launch-chat/2024-05-01.json", """
            [
                {
                    "type": "message",
                    "text": "Acme just launched <https://blog.acme.example/posts/launch|the services arm>",
                    "user": "U024BE7LH",
                    "ts": "1714557600.000200",
                    "thread_ts": "1714557600.000200",
                    "reply_count": 1,
                    "attachments": [{"from_url": "https://blog.acme.example/posts/launch", "original_url": "https://blog.acme.example/posts/launch?utm_source=slack", "title": "Launch"}]
                },
                {
                    "type": "message",
                    "text": "Nice, congrats!",
                    "user": "U0G9QF9C6",
                    "ts": "1714557900.000300",
                    "thread_ts": "1714557600.000200",
                    "parent_user_id": "U024BE7LH"
                },
                {"type": "message", "subtype": "channel_join", "text": "<@U0ABC> has joined the channel", "user": "U0ABC", "ts": "1714558000.000400"}
            ]

            """, config: "[[inputs]]\nmatch = \"????-??-??.json\"\npreset = \"slack\"\n")
        #expect(rows.count == 3)
        guard case .event(2, .group(let post)) = rows[0], case .event(11, .group(let reply)) = rows[1],
              case .event(19, .group(let join)) = rows[2] else { Issue.record("three activities on lines 2, 11, 19: \(rows)"); return }
        #expect(post.identity == "slack\u{1F}launch-chat/1714557600.000200")
        #expect(post.group == "launch-chat")
        #expect(post.platform == "slack")
        #expect(post.parentID == nil)                  // names itself as its thread
        #expect(post.occurredAt == 1_714_557_600)
        #expect(post.actor == testHasher.person("U024BE7LH"))
        #expect(post.action == "message")
        #expect(post.sharedURL?.text == "https://blog.acme.example/posts/launch")
        #expect(reply.parentID == "launch-chat/1714557600.000200")
        #expect(reply.text == "Nice, congrats!")
        #expect(reply.sharedURL == nil)
        #expect(join.action == "channel_join")
        #expect(join.parentID == nil)
    }

    /// Older Slack exports keep comments on files as `file_comment` messages whose author
    /// is only in `comment.user`: the preset rejected them, and the reject kept that id.
    @Test func fileCommentsAreActivitiesOfTheirCommenter() throws {
        let rows = try stage("export/general/2016-06-30.json", """
            [
                {
                    "type": "message",
                    "subtype": "file_comment",
                    "text": "<@U0G9QF9C6|mia> commented on <@U024BE7LH|ann>’s file <https://acme.slack.com/files/ann/F1RBC8ZT3/roadmap.pdf|roadmap>: Acme consulting looks good",
                    "file": {"id": "F1RBC8ZT3", "created": 1467296000, "name": "roadmap.pdf", "user": "U024BE7LH"},
                    "comment": {"id": "Fc1RBD7ELQ", "created": 1467296345, "timestamp": 1467296345, "user": "U0G9QF9C6", "is_intro": false, "comment": "Acme consulting looks good"},
                    "is_intro": false,
                    "ts": "1467296345.000003"
                }
            ]

            """, config: "[[inputs]]\nmatch = \"????-??-??.json\"\npreset = \"slack\"\n")
        #expect(rows.count == 1)
        guard case .event(2, .group(let comment)) = rows[0] else { Issue.record("one activity: \(rows)"); return }
        #expect(comment.actor == testHasher.person("U0G9QF9C6"))
        #expect(comment.action == "file_comment")
        #expect(comment.group == "general")
    }

    @Test func slacksOwnListsAreNotMistakenForMessages() throws {
        do {
            _ = try stage("export/channels.json", #"[{"id": "C0G9QF9GW", "name": "launch-chat", "created": 1449252889, "members": ["U024BE7LH"]}]"#,
                          config: "[[inputs]]\nmatch = \"*.json\"\npreset = \"slack\"\n")
            Issue.record("channels.json read as messages should fail")
        } catch let error as MappingError {
            #expect(error.reason.hasPrefix("file looks like objects with keys created, id, members, name, but preset 'slack' expects"))
        }
    }
}
