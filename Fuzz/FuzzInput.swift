// libFuzzer entry point for Footprint's byte readers (gzip, CSV, JSONL, JSON arrays), the
// HTML escaper and the mapping language (paths, templates, the redaction of what a path
// reads). Not part of the package build: scripts/fuzz compiles it with the FootprintInput
// sources, the mapping's types and accessor (FootprintConfig's Config.swift and Glob.swift,
// FootprintStaging's FieldAccessor.swift) and the escaper, as one module, with
// -sanitize=fuzzer,address, then runs it for a given time.
//
// The first byte of each input picks the reader and the chunk size, so the fuzzer also
// explores chunk boundaries falling inside quotes, escapes and multi-byte characters.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let control = bytes.first else { return 0 }
    let body = Array(bytes.dropFirst())
    let chunkSize = Int(control >> 3) + 1
    var rows = 0
    switch control & 7 {
    case 0:
        let reader = CSVRecordReader(source: InputOpener.open(bytes: body, chunkSize: chunkSize), maxRecordBytes: 4096)
        while let result = reader.next() {
            rows += 1
            if case .record(_, .csv(let fields)) = result { precondition(fields.count == reader.header.count) }
        }
    case 1:
        let reader = JSONLRecordReader(source: InputOpener.open(bytes: body, chunkSize: chunkSize), maxRecordBytes: 4096)
        while reader.next() != nil { rows += 1 }
    case 2:
        // Raw gzip framing: wrap whatever came in after a gzip header.
        let gz: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03] + body
        let reader = CSVRecordReader(source: InputOpener.open(bytes: gz, chunkSize: chunkSize), maxRecordBytes: 4096)
        while reader.next() != nil { rows += 1 }
        // Deflate's back-references inflate: bound the rows by the bytes inflated.
        precondition(rows <= reader.bytesConsumed + 1)
        return 0
    case 3:
        let reader = JSONArrayRecordReader(source: InputOpener.open(bytes: body, chunkSize: chunkSize), maxRecordBytes: 4096)
        while let result = reader.next() {
            rows += 1
            if case .record(_, .json(let value)) = result, case .object = value {} else if case .record = result {
                preconditionFailure("a JSON-array record that is not an object")
            }
        }
    case 4:
        _ = try? JSONParser.parse(body)
    case 5:
        fuzzEscape(String(decoding: body, as: UTF8.self))
    case 6, 7:
        fuzzMapping(body)
    default:
        break
    }
    precondition(rows <= body.count + 1)
    return 0
}

/// The escaper: no markup byte survives, whatever precedes it (a Prepend character
/// fused with `<` into one Character once let it through), and unescaping gives the
/// input back, with C0 controls (but tab, LF, CR) and DEL as U+FFFD.
func fuzzEscape(_ text: String) {
    let escaped = escape(text)
    for byte in escaped.utf8 {
        precondition(byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'"),
                     "markup byte \(byte) in escaped text")
    }
    // Unescaped by bytes: Foundation's replacingOccurrences matches whole Characters, and
    // a combining mark after `;` would hide an entity from it.
    var back: [UInt8] = []
    let bytes = Array(escaped.utf8)
    var i = 0
    while i < bytes.count {
        var matched = false
        for (entity, byte) in [("&lt;", UInt8(ascii: "<")), ("&gt;", UInt8(ascii: ">")), ("&quot;", UInt8(ascii: "\"")),
                               ("&#39;", UInt8(ascii: "'")), ("&amp;", UInt8(ascii: "&"))] {
            let e = Array(entity.utf8)
            if bytes.count - i >= e.count && Array(bytes[i..<(i + e.count)]) == e { back.append(byte); i += e.count; matched = true; break }
        }
        if !matched { back.append(bytes[i]); i += 1 }
    }
    let expected = Array(String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F ? "\u{FFFD}" : scalar
    })).utf8)
    precondition(back == expected, "escaping does not round-trip")
}

/// The mapping language: the first line is a field source as the config writes it (a
/// path, `a|b`, a template), the rest a JSON object. Compiling and evaluating must not
/// crash, and what a path reads is what redaction replaces: after `replacing`, the path
/// reads the replacement.
func fuzzMapping(_ body: [UInt8]) {
    let newline = body.firstIndex(of: 0x0A) ?? body.count
    let sourceText = String(decoding: body[..<newline], as: UTF8.self)
    let rest = newline < body.count ? Array(body[(newline + 1)...]) : []
    guard let object = try? JSONParser.parse(rest), case .object = object else { return }
    let accessor = FieldAccessor.compile(FieldSource.parse(sourceText), header: nil)
    _ = accessor.value(in: .json(object))
    if case .jsonPath(let steps) = accessor, FieldAccessor.walk(object, steps) != nil {
        let replaced = FieldAccessor.replacing(steps, in: object, with: .string("[removed]"))
        precondition(FieldAccessor.walk(replaced, steps) == .string("[removed]"), "redaction missed what the path reads")
    }
}
