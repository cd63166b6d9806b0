import Foundation
import Testing
@testable import FootprintNormalize

@Suite struct GeoIPTests {
    static var testDatabase: String {
        Bundle.module.path(forResource: "GeoIP2-City-Test", ofType: "mmdb", inDirectory: "GeoIP")!
    }

    @Test func looksUpCountryRegionAndCity() throws {
        let geo = try GeoIPDatabase(path: Self.testDatabase)
        #expect(geo.place(of: "81.2.69.142")! == ("GB", "England", "London"))
        #expect(geo.place(of: "216.160.83.56")! == ("US", "Washington", "Milton"))
        #expect(geo.place(of: "89.160.20.112")! == ("SE", "Östergötland County", "Linköping"))
        #expect(geo.place(of: "10.0.0.1") == nil)          // private: not in the database
        #expect(geo.place(of: "not an ip") == nil)
    }

    @Test func aMissingDatabaseIsAClearError() {
        #expect(throws: GeoIPDatabase.OpenError.self) { try GeoIPDatabase(path: "/nonexistent/GeoLite2-City.mmdb") }
    }
}
