/// A small dataset for the reports of CONTRACT.md section 5, every number of which is
/// worked out by hand in MonitoringReportsTests. It holds, on purpose: a visit that
/// converts on its third page after crossing from the blog to the site; a goal page
/// reached with `www.`, a trailing slash and a query string; a visit cut by the
/// 30-minute rule; a topic keyword beside a decoy word ("logisticsware"); a thread
/// answered by two actors and one brand account; a subscriber who unsubscribes in the
/// middle of May (learnt from a later export); an e-mail address written in upper case
/// in one file and lower case in others; outcome rows that add up, two of them identical.
enum MonitoringFixture {
    static let hashKey = "00112233445566778899aabbccddeeff"

    static func config(showHandles: Bool = false) -> String {
        """
        hash_key = "\(hashKey)"

        [properties]
        "acme.example" = "site"
        "blog.acme.example" = "blog"

        [[brands]]
        name = "Acme"
        self = true
        aliases = ["Acme"]
        domains = ["acme.example"]
        accounts = ["acmehq", "Jane@Acme.example"]

        [[brands]]
        name = "Globex"
        aliases = ["Globex"]
        domains = ["globex.example"]
        accounts = ["globexteam"]

        [[goals]]
        name = "newsletter"
        pages = ["https://acme.example/newsletter/thanks", "https://blog.acme.example/subscribe/*"]

        [[goals]]
        name = "demo"
        pages = ["https://www.acme.example/demo/booked/"]

        [[topics]]
        name = "supply chain"
        pages = ["https://blog.acme.example/posts/supply-chain*"]
        keywords = ["supply chain", "logistics"]

        [[topics]]
        name = "security"
        pages = ["https://blog.acme.example/posts/zero-trust"]
        keywords = ["zero trust"]

        [vips]
        min_comments = 2

        [privacy]
        show_actor_handles = \(showHandles)
        """
    }

    static let web = """
        event_id,timestamp,visitor_id,url,referrer
        w1,2024-05-01T10:00:00Z,v1,https://blog.acme.example/posts/supply-chain-101,https://www.google.com/search
        w2,2024-05-01T10:05:00Z,v1,https://acme.example/pricing,https://blog.acme.example/posts/supply-chain-101
        w3,2024-05-01T10:07:00Z,v1,https://www.acme.example/newsletter/thanks/?ref=blog,https://acme.example/pricing
        w4,2024-05-01T12:00:00Z,v2,https://acme.example/,https://t.co/abc
        w5,2024-05-01T12:10:00Z,v2,https://acme.example/demo/booked,
        w6,2024-05-02T09:00:00Z,v3,https://blog.acme.example/subscribe/confirm?id=7,https://t.co/abc
        w7,2024-05-03T09:00:00Z,v1,https://blog.acme.example/posts/zero-trust,
        w8,2024-05-03T09:50:00Z,v1,https://acme.example/newsletter/thanks,
        w9,2024-06-01T08:00:00Z,v4,https://blog.acme.example/posts/supply-chain-2,https://techcrunch.com/a

        """

    static let clicks = """
        click_id,timestamp,short_url,long_url,referrer,channel
        c1,2024-05-01T09:00:00Z,https://bit.ly/sc1,https://blog.acme.example/posts/supply-chain-101,https://t.co/x,twitter
        c2,2024-05-01T09:30:00Z,https://bit.ly/sc1,https://blog.acme.example/posts/supply-chain-101,,email
        c3,2024-05-02T09:00:00Z,https://bit.ly/zt,https://blog.acme.example/posts/zero-trust,,twitter
        c4,2024-05-02T10:00:00Z,https://bit.ly/gx,https://globex.example/offer,,twitter

        """

    static let groups = """
        activity_id,timestamp,platform,group,actor_id,action,parent_id,title,text,url,count,country
        p1,2024-05-01T11:00:00Z,linkedin,Ops Leaders,alice@example.org,post,,Supply chain lessons,What Acme taught us,https://bit.ly/sc1,,DE
        c1,2024-05-01T11:10:00Z,linkedin,Ops Leaders,Bob@Example.org,comment,p1,,Logistics is the hard part,,,US
        c2,2024-05-01T11:20:00Z,linkedin,Ops Leaders,carol,comment,p1,,Globex does logisticsware too,,,FR
        r1,2024-05-01T11:30:00Z,linkedin,Ops Leaders,acmehq,comment,c1,,Thanks Bob!,,,
        c3,2024-05-01T11:40:00Z,linkedin,Ops Leaders,bob@example.org,comment,r1,,Acme support was quick,,,US
        l1,2024-05-01T11:50:00Z,linkedin,Ops Leaders,dave,like,p1,,,,7,
        s1,2024-05-02T08:00:00Z,linkedin,Ops Leaders,erin,share,p1,,,,,GB
        v1,2024-05-02T09:00:00Z,linkedin,Ops Leaders,viewers,view,,,,,250,
        p2,2024-05-03T10:00:00Z,facebook,IT Pros,Jane@acme.example,post,,New on the blog,Zero trust explained,https://blog.acme.example/posts/zero-trust,,
        c4,2024-05-03T10:30:00Z,facebook,IT Pros,carol,comment,p2,,zero trust is a buzzword,,,FR
        p3,2024-06-02T10:00:00Z,linkedin,Ops Leaders,bob@example.org,post,,Question,Anyone using supply chain tools?,,,US
        c5,2024-06-02T11:00:00Z,linkedin,Ops Leaders,alice@example.org,comment,p3,,Try Acme,,,DE

        """

    /// The first export: Alice still subscribed.
    static let subscribers = """
        subscriber_id,subscribed_at,unsubscribed_at,list
        BOB@EXAMPLE.ORG,2024-04-01T00:00:00Z,,newsletter
        alice@example.org,2024-04-15T00:00:00Z,,newsletter
        carol,2024-05-20T00:00:00Z,,rss
        frank@example.org,2024-03-01T00:00:00Z,2024-03-20T00:00:00Z,newsletter

        """

    /// A later export: Bob again (in lower case: a duplicate), Alice with the day she left.
    static let laterSubscribers = """
        subscriber_id,subscribed_at,unsubscribed_at,list
        bob@example.org,2024-04-01T00:00:00Z,,newsletter
        alice@example.org,2024-04-15T00:00:00Z,2024-05-10T00:00:00Z,newsletter

        """

    static let outcomes = """
        date,metric,value
        2024-04-30,sales,1000
        2024-05-01,sales,400
        2024-05-15,sales,400
        2024-05-15,sales,400
        2024-05-20,leads,12
        2024-06-03,sales,600

        """

    /// File name → contents, in the order they are loaded (the later export last).
    static let files: [(String, String)] = [
        ("web.csv", web), ("clicks.csv", clicks), ("groups.csv", groups), ("subscribers-1.csv", subscribers),
        ("subscribers-2.csv", laterSubscribers), ("outcomes.csv", outcomes),
    ]
}
