/// SQL pieces the group reports share (groups, influencers, vips, topics), so that they
/// agree on what a post, a comment or a reaction is and on how an actor is named.
enum GroupRoles {
    /// The role of the group activity `f`: `post`, `comment`, `share`, `reaction`,
    /// `view`, `join` or `other`. Exports name actions in their own words (Slack's
    /// `message`, Hacker News' `story`): whatever is written is a comment when it answers
    /// something and a post when it does not.
    static func role(_ f: String = "f") -> String {
        """
        CASE
            WHEN \(f).action = 'view' THEN 'view'
            WHEN \(f).action IN ('like', 'reaction', 'react', 'upvote', 'reaction_added') THEN 'reaction'
            WHEN \(f).action IN ('join', 'channel_join', 'group_join', 'member_joined') THEN 'join'
            WHEN \(f).action IN ('share', 'reshare', 'repost', 'retweet') THEN 'share'
            WHEN \(f).action IN ('comment', 'reply') THEN 'comment'
            WHEN \(f).action IN ('post', 'message', 'story', 'submission', 'thread_broadcast', 'poll', 'job', 'article')
                THEN CASE WHEN \(f).parent_source_id IS NULL THEN 'post' ELSE 'comment' END
            ELSE 'other'
        END
        """
    }

    /// How a report names the actor `person_key` of dim_person `p`, with dim_actor_handle
    /// `h` left-joined: the handle when the config shows handles (the loader keeps them
    /// only then), else `~` and the first 10 hex digits of the keyed hash.
    static func actorName(_ p: String = "p", _ h: String = "h") -> String {
        "COALESCE(\(h).handle, '~' || SUBSTR(\(p).person_hash, 1, 10))"
    }

    /// The person keys of the self brand's accounts.
    static let selfAccounts = """
        SELECT a.person_key FROM dim_brand_account AS a JOIN dim_brand AS b ON b.brand_key = a.brand_key WHERE b.is_self = 1
        """
}
