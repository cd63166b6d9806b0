import FootprintConfig
import FootprintWarehouse

/// What a set of reports covers: how rows are grouped in time, and which days.
public struct ReportScope: Equatable, Sendable {
    public enum Period: String, CaseIterable, Sendable {
        case day, week, month, quarter

        /// The dim_date column holding this period's label. Chosen from this fixed
        /// list, never from user text, so it is safe to place in SQL.
        var labelColumn: String {
            switch self {
            case .day: return "full_date"
            case .week: return "iso_week"
            case .month: return "month"
            case .quarter: return "quarter"
            }
        }

        var previousLabelColumn: String { "previous_\(rawValue)" }

        /// The dim_date column holding the period's number (same order as the label).
        var keyColumn: String {
            switch self {
            case .day: return "date_key"
            case .week: return "week_key"
            case .month: return "month_key"
            case .quarter: return "quarter_key"
            }
        }
    }

    public var period: Period
    /// First and last day included, as yyyymmdd date keys (inclusive).
    public var firstDay: Int
    public var lastDay: Int

    /// influencers.csv lists this many actors per period and platform (`influencers_top`).
    public var influencersTop = 100
    /// Comments in a period that make a subscriber a VIP (`[vips] min_comments`).
    public var vipMinComments = 2
    /// propagation.csv: the days before this one are in propagation's base, kept by the
    /// report cache (PropagationBase); nil: every day is added up.
    var propagationBaseThrough: Int?

    /// The scope with the config's report settings (influencers_top, [vips]).
    public func configured(by config: FootprintConfig) -> ReportScope {
        var scope = self
        scope.influencersTop = config.influencersTop
        scope.vipMinComments = config.vipMinComments
        return scope
    }

    public init(period: Period = .month, firstDay: Int? = nil, lastDay: Int? = nil) {
        self.period = period
        self.firstDay = firstDay ?? 0
        self.lastDay = lastDay ?? 99_991_231
    }
}

extension ReportScope {
    /// The days as report SQL's parameters `:first` and `:last`.
    var range: [String: SQLValue] { ["first": SQLValue(firstDay), "last": SQLValue(lastDay)] }
}
