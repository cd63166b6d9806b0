/// Plain decimal numbers ("188", "12.5") read straight from their bytes.
public enum DecimalText {
    private static let powersOfTen: [Double] = (0...15).map { power in (0..<power).reduce(1.0) { value, _ in value * 10 } }

    /// The value of digits with at most one decimal point and at most 15 digits in all;
    /// nil for anything else (a sign, an exponent, more digits), which the caller hands
    /// to `Double(_:)`. Exact: both the digits as an integer and the power of ten are
    /// exact doubles, so their quotient is correctly rounded, as `Double(_:)` rounds.
    public static func value(of bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var digits: Int64 = 0
        var count = 0
        var fraction = -1  // digits after the point; -1 while no point was seen
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                digits = digits * 10 + Int64(byte - 0x30)
                count += 1
                if fraction >= 0 { fraction += 1 }
                if count > 15 { return nil }
            } else if byte == 0x2E && fraction < 0 {
                fraction = 0
            } else {
                return nil
            }
        }
        if count == 0 || fraction == 0 { return nil }  // "", ".", "5." go the slow way
        return Double(digits) / powersOfTen[max(fraction, 0)]
    }
}
