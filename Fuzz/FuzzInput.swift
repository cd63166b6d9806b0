// libFuzzer entry point for Footprint's byte readers (gzip, CSV, JSONL, JSON arrays). Not part of the
// package build: scripts/fuzz compiles it with the FootprintInput sources and
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
    case 3:
        let reader = JSONArrayRecordReader(source: InputOpener.open(bytes: body, chunkSize: chunkSize), maxRecordBytes: 4096)
        while let result = reader.next() {
            rows += 1
            if case .record(_, .json(let value)) = result, case .object = value {} else if case .record = result {
                preconditionFailure("a JSON-array record that is not an object")
            }
        }
    default:
        _ = try? JSONParser.parse(body)
    }
    precondition(rows <= body.count + 1)
    return 0
}
