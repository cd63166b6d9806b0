/// Named mappings for real export formats, written in the same `[[inputs]]` language
/// users write in their config, so a user can copy one and adjust it. Pick one with
/// `--preset NAME` (ingest) or `preset = "NAME"` in an `[[inputs]]` entry; fields and
/// filters written in the entry override the preset's.
///
/// Each was checked against the format's public documentation (see README, "Presets").
public enum Presets {
    public static let texts: [String: String] = [
        // Apache/nginx access logs, Combined or Common Log Format. The entry must give the
        // site's host (`host = "blog.example.com"`): log lines carry only the path. The
        // visitor is the client address (hashed like any id; GoAccess counts the same way).
        "access-log": """
            [[inputs]]
            match = "*"
            kind = "web"
            format = "accesslog"
            [inputs.fields]
            timestamp = "time"
            visitor_id = "ip"
            url = "https://{host}{path}"
            referrer = "referrer"
            user_agent = "user_agent"
            ip = "ip"
            """,
        // Google Analytics 4, BigQuery export (events_YYYYMMDD as newline-delimited JSON).
        // Every event is a row; page views are event_name = page_view. Parameters are an
        // array of {key, value: {string_value | int_value | double_value}} records.
        "ga4": """
            [[inputs]]
            match = "*"
            kind = "web"
            format = "jsonl"
            [inputs.where]
            event_name = "page_view"
            [inputs.fields]
            timestamp = "event_timestamp"
            visitor_id = "user_pseudo_id"
            session_id = "event_params[key=ga_session_id].value.int_value|event_params[key=ga_session_id].value.string_value"
            url = "event_params[key=page_location].value.string_value"
            referrer = "event_params[key=page_referrer].value.string_value"
            engaged_seconds = { path = "event_params[key=engagement_time_msec].value.int_value", scale = 0.001 }
            country = "geo.country"
            region = "geo.region"
            city = "geo.city"
            user_agent = "device.web_info.browser"
            """,
        // Hacker News items as the official API returns them (one JSON object per line).
        "hackernews": """
            [[inputs]]
            match = "*"
            kind = "groups"
            format = "jsonl"
            [inputs.fields]
            activity_id = "id"
            timestamp = "time"
            actor_id = "by"
            action = "type"
            parent_id = "parent"
            title = "title"
            text = "text"
            url = "url"
            platform = { const = "hackernews" }
            group = { const = "Hacker News" }
            """,
        // Reddit comments as in Pushshift dumps (RC_*): parent_id is a fullname, t1_ for a
        // comment, t3_ for a submission, so activities are identified by fullname too.
        "reddit-comments": """
            [[inputs]]
            match = "*"
            kind = "groups"
            format = "jsonl"
            [inputs.fields]
            activity_id = "t1_{id}"
            timestamp = "created_utc"
            actor_id = "author"
            group = "subreddit"
            parent_id = "parent_id"
            text = "body"
            action = { const = "comment" }
            platform = { const = "reddit" }
            """,
        // Reddit submissions as in Pushshift dumps (RS_*).
        "reddit-submissions": """
            [[inputs]]
            match = "*"
            kind = "groups"
            format = "jsonl"
            [inputs.fields]
            activity_id = "t3_{id}"
            timestamp = "created_utc"
            actor_id = "author"
            group = "subreddit"
            title = "title"
            text = "selftext"
            url = "url"
            action = { const = "post" }
            platform = { const = "reddit" }
            """,
        // bit.ly's click stream as published for 1.usa.gov (one JSON object per line, short
        // field names: u long URL, hh short domain, h hash, r referrer ("direct" when
        // none), t epoch seconds, c/gr/cy country/region/city, a user agent). Heartbeat
        // lines ({"_heartbeat_": …}) are skipped, not rejected.
        "bitly-stream": """
            [[inputs]]
            match = "*"
            kind = "clicks"
            format = "jsonl"
            [inputs.where]
            _heartbeat_ = ""
            [inputs.fields]
            timestamp = "t"
            short_url = "https://{hh}/{h}"
            long_url = "u"
            referrer = "r"
            country = "c"
            region = "gr"
            city = "cy"
            user_agent = "a"
            """,
        // YOURLS: its yourls_log table joined with yourls_url for the long URL, exported
        // as CSV with a header (see README). Short links are https://{host}/{keyword}: the
        // entry gives the short domain. click_time is the MySQL server's local time.
        "yourls": """
            [[inputs]]
            match = "*"
            kind = "clicks"
            format = "csv"
            [inputs.fields]
            click_id = "click_id"
            timestamp = "click_time"
            short_url = "https://{host}/{shorturl}"
            long_url = "url"
            referrer = "referrer"
            country = "country_code"
            user_agent = "user_agent"
            ip = "ip_address"
            """,
        // Shlink's web client, "Export CSV" on a short URL's visits: one file per short
        // URL, which it does not name, so the entry gives short_url and long_url as
        // constants. referer is a domain or "Direct"; rows Shlink marks as potential bots
        // are skipped.
        "shlink": """
            [[inputs]]
            match = "*"
            kind = "clicks"
            format = "csv"
            [inputs.where]
            potentialBot = "false"
            [inputs.fields]
            timestamp = "date"
            referrer = "referer"
            country = "country"
            region = "region"
            city = "city"
            user_agent = "userAgent"
            """,
        // Slack workspace export: a folder per channel holding one JSON array per day
        // (2024-05-01.json). ts is unique within a channel, so ids carry the channel
        // (the folder's name); a thread's replies point at its first message (thread_ts).
        "slack": """
            [[inputs]]
            match = "*"
            kind = "groups"
            format = "jsonarray"
            [inputs.fields]
            activity_id = "{@folder}/{ts}"
            timestamp = "ts"
            actor_id = "user|bot_id|comment.user"
            group = "{@folder}"
            action = "subtype|type"
            parent_id = "{@folder}/{thread_ts}"
            text = "text"
            url = "attachments[0].original_url|attachments[0].from_url"
            platform = { const = "slack" }
            """,
        // Mailchimp audience export (Audience → Export audience: a zip of
        // subscribed_members_export_*.csv, unsubscribed_… and cleaned_…). Columns are
        // "Email Address", the audience's merge fields, then MEMBER_RATING, OPTIN_TIME,
        // OPTIN_IP, CONFIRM_TIME, …; the unsubscribed file adds UNSUB_TIME. Times are
        // written without a zone ("2024-05-01 09:30:00"): set timezone to the one the
        // account reports in. Confirmation (double opt-in) is the moment of subscribing.
        "mailchimp": """
            [[inputs]]
            match = "*"
            kind = "subscribers"
            format = "csv"
            [inputs.fields]
            subscriber_id = "Email Address"
            subscribed_at = "CONFIRM_TIME|OPTIN_TIME|LAST_CHANGED"
            unsubscribed_at = "UNSUB_TIME|CLEAN_TIME"
            list = { const = "newsletter" }
            """,
        // Substack subscriber export (Subscribers → Export: email_list.PUBLICATION.csv with
        // email, active_subscription, expiry, plan, email_disabled, created_at, …). It
        // lists current subscribers only: a subscriber who left is absent from the next
        // export, not marked, so VIPs lapse but "subscribers" keeps those who left.
        "substack": """
            [[inputs]]
            match = "*"
            kind = "subscribers"
            format = "csv"
            [inputs.fields]
            subscriber_id = "email"
            subscribed_at = "created_at"
            list = { const = "newsletter" }
            """,
        // WordPress.com / Jetpack subscribers as the REST API returns them
        // (GET /rest/v1.1/sites/SITE/subscribers, each object with email_address,
        // date_subscribed, user_id, display_name), saved as a JSON array or one object
        // per line. Reader followers without an address are known by their user id.
        "wordpress-subscribers": """
            [[inputs]]
            match = "*"
            kind = "subscribers"
            [inputs.fields]
            subscriber_id = "email_address|user_id"
            subscribed_at = "date_subscribed"
            list = { const = "blog" }
            """,
        // WordPress comments from the REST API (GET /wp-json/wp/v2/comments?context=edit,
        // a JSON array of {id, post, parent, author, author_name, author_email, date_gmt,
        // content.raw, link, status}). The blog is one group; the comment's link (the
        // post's URL with #comment-N) is the post it was left on; parent 0 answers no
        // comment. author_email (context=edit) lets a commenter match their subscription.
        "wordpress-comments": """
            [[inputs]]
            match = "*"
            kind = "groups"
            [inputs.fields]
            activity_id = "id"
            timestamp = "{date_gmt}Z"
            actor_id = "author_email|author_name"
            action = { const = "comment" }
            parent_id = "parent"
            text = "content.raw|content.rendered"
            url = "link"
            platform = { const = "wordpress" }
            group = { const = "Blog comments" }
            """,
    ]

    /// What a user must add for a preset whose export lacks required columns.
    public static let notes: [String: String] = [
        "shlink": "Shlink's visit export does not name the short URL: add short_url = { const = \"https://s.example/abc\" } and long_url = { const = \"https://…\" } to the entry's [inputs.fields], one entry per exported short URL",
    ]

    public static var names: [String] { texts.keys.sorted() }

    public static func spec(named name: String) -> InputSpec? {
        guard let text = texts[name], let config = try? ConfigLoader.parse(text), var spec = config.inputs.first else { return nil }
        spec.preset = name
        return spec
    }
}
