/// A tiny dataset whose every report number was computed by hand (see the comments in
/// ReportsGoldenTests). It holds, on purpose: a country present in the blog but absent
/// from the site (IN, BR), a reply chain of depth 3 with a reaction below it, a mention
/// that must not match ("Acmeology"), a session cut by the 30-minute rule (v1 on the
/// site, 08:10 → 09:00), a short link shared in a group (resolved to its post), and a
/// page view at 2024-04-30T22:30Z that belongs to May in the configured Europe/Berlin.
enum HandComputedFixture {
    static let config = """
        timezone = "Europe/Berlin"

        [properties]
        "acme.example" = "site"
        "blog.acme.example" = "blog"

        [[brands]]
        name = "Acme"
        self = true
        aliases = ["Acme", "@acme"]
        domains = ["acme.example"]

        [[brands]]
        name = "Globex"
        aliases = ["Globex"]
        domains = ["globex.example"]

        [perception]
        current = ["products", "hardware"]
        aspired = ["services", "solutions", "consulting"]
        """

    static let web = """
        event_id,timestamp,visitor_id,url,referrer,country,region,city,engaged_seconds
        w1,2024-04-10T08:00:00Z,v1,https://www.acme.example/,https://www.google.com/search,DE,Bavaria,Munich,30
        w2,2024-04-10T08:10:00Z,v1,https://acme.example/products,,Germany,Bavaria,Munich,60
        w3,2024-04-10T09:00:00Z,v1,https://acme.example/,https://t.co/abc,DEU,Bavaria,Munich,
        w4,2024-04-12T12:00:00Z,v2,https://acme.example/,,US,,,20
        w5,2024-04-30T22:30:00Z,v2,https://acme.example/pricing,https://techcrunch.com/story,USA,,,40
        b1,2024-04-11T10:00:00Z,v3,https://blog.acme.example/posts/launch,https://t.co/x,IN,,Pune,100
        b2,2024-04-11T10:05:00Z,v3,https://blog.acme.example/posts/other,,India,,Pune,50
        b3,2024-04-15T10:00:00Z,v1,https://blog.acme.example/posts/launch?utm_source=li,https://www.linkedin.com/feed,DE,Bavaria,Munich,
        b4,2024-04-20T10:00:00Z,v4,https://blog.acme.example/posts/launch/,https://techcrunch.com/a,BR,,,10

        """

    static let clicks = """
        click_id,timestamp,short_url,long_url,referrer,channel,country
        c1,2024-04-11T09:00:00Z,https://bit.ly/L1,https://blog.acme.example/posts/launch,https://t.co/x,twitter,IN
        c2,2024-04-11T09:30:00Z,https://bit.ly/L1,https://blog.acme.example/posts/launch,https://t.co/x,twitter,US
        c3,2024-04-12T09:00:00Z,https://bit.ly/G1,https://www.globex.example/offer,,email,DE
        c4,2024-05-02T09:00:00Z,https://bit.ly/L1,https://blog.acme.example/posts/launch,,linkedin,DE

        """

    static let groups = """
        {"activity_id":"g1","timestamp":"2024-04-11T12:00:00Z","platform":"linkedin","group":"Cloud Architects","actor_id":"m1","action":"post","url":"https://bit.ly/L1","title":"Acme launch","text":"Acme's new services offering","country":"DE"}
        {"activity_id":"g2","timestamp":"2024-04-11T13:00:00Z","platform":"linkedin","group":"Cloud Architects","actor_id":"m2","action":"comment","parent_id":"g1","text":"Globex does this too","country":"US"}
        {"activity_id":"g3","timestamp":"2024-04-11T14:00:00Z","platform":"linkedin","group":"Cloud Architects","actor_id":"m1","action":"reply","parent_id":"g2","text":"Not like ACME, though","country":"DE"}
        {"activity_id":"g4","timestamp":"2024-04-11T15:00:00Z","platform":"linkedin","group":"Cloud Architects","actor_id":"m3","action":"reply","parent_id":"g3","text":"Acmeology is a fake word","country":"FR"}
        {"activity_id":"g5","timestamp":"2024-04-11T16:00:00Z","platform":"linkedin","group":"Cloud Architects","actor_id":"m2","action":"like","parent_id":"g4","count":5,"country":"US"}
        {"activity_id":"g6","timestamp":"2024-05-03T10:00:00Z","platform":"facebook","group":"IT Pros","actor_id":"m4","action":"post","text":"@acme and Globex compared: both sell hardware","country":"GB"}

        """
}
