/// Merges one visitor's sessions on each property into visits across properties
/// (fact_visit): sessions that start within the session timeout of the end of the visit
/// so far, or overlap it, belong to it. A blog post that sends its reader to the site's
/// demo page is then one visit whose landing page is the post (goals.csv).
///
/// The sessionizer hands over sessions grouped by visitor (by property and time within),
/// so only the current visitor's sessions are held: a few, or as many as one visitor has.
struct VisitMerger {
    struct Visit {
        var person, dateKey, startedAt, endedAt, pages, referrer, landing: Int64
        /// The goals whose pages it viewed (dim_goal.bit), the union of its sessions'.
        var goals: Int64
    }

    let timeoutSeconds: Int64
    private var person: Int64?
    private var sessions: [CutSession] = []

    init(timeoutSeconds: Int64) { self.timeoutSeconds = timeoutSeconds }

    /// Takes the next session; the visits of the previous visitor go to `emit` once a
    /// session of another visitor arrives.
    mutating func add(_ session: CutSession, emit: (Visit) throws -> Void) rethrows {
        if session.person != person {
            try finish(emit: emit)
            person = session.person
        }
        sessions.append(session)
    }

    /// The visits of the visitor held so far.
    mutating func finish(emit: (Visit) throws -> Void) rethrows {
        guard !sessions.isEmpty else { return }
        // In time order; at the same instant the property with the smaller key first, so
        // the landing page does not depend on the order sessions were handed over.
        sessions.sort { ($0.startedAt, $0.property, $0.number) < ($1.startedAt, $1.property, $1.number) }
        var visit: Visit?
        for session in sessions {
            if var current = visit, session.startedAt - current.endedAt <= timeoutSeconds {
                current.endedAt = max(current.endedAt, session.endedAt)
                current.pages += session.pages
                current.goals |= session.goals
                visit = current
                continue
            }
            if let finished = visit { try emit(finished) }
            visit = Visit(person: session.person, dateKey: session.dateKey, startedAt: session.startedAt,
                          endedAt: session.endedAt, pages: session.pages, referrer: session.referrer, landing: session.landing,
                          goals: session.goals)
        }
        if let finished = visit { try emit(finished) }
        sessions.removeAll(keepingCapacity: sessions.count <= 1024)
    }
}
