import ArgumentParser
import Foundation
import FootprintConfig
import FootprintInput
import FootprintWarehouse

/// The root command only configures; each subcommand lives in Commands/.
struct Footprint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "footprint",
        abstract: "Load marketing event exports into an SQLite star schema and write audience, propagation and share-of-attention reports.",
        discussion: """
        Exit status: 0 success; 1 finished but some rows or files were rejected (reports \
        still written); 2 usage or configuration error; 3 the run could not complete \
        (nothing half-written).
        """,
        version: "0.1.0",
        subcommands: [IngestCommand.self, ReportCommand.self, RunCommand.self, DemoCommand.self, StatusCommand.self, ReviewCommand.self, ForgetCommand.self, DatabaseCommand.self]
    )
}

/// Exit codes of CONTRACT.md section 2.
enum ExitStatus {
    static let success: Int32 = 0
    static let rowsRejected: Int32 = 1
    static let usage: Int32 = 2
    static let incomplete: Int32 = 3
}

@main
enum Main {
    static func main() {
        FreedMemory.mapLargeBlocksApart()
        let command: ParsableCommand
        do {
            command = try Footprint.parseAsRoot()
        } catch {
            // ArgumentParser exits 64 on usage errors on Linux; the contract says 2.
            let code = Footprint.exitCode(for: error)
            let message = Footprint.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(ExitStatus.success)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(ExitStatus.usage)
        }
        do {
            var runnable = command
            Trace.mark("command parsed")
            try runnable.run()
            Trace.mark("command done")
            exit(ExitStatus.success)
        } catch let exitCode as ExitCode {
            exit(exitCode.rawValue)
        } catch let failure as UsageFailure {
            fail(failure.message, ExitStatus.usage)
        } catch let failure as RunFailure {
            fail(failure.message, ExitStatus.incomplete)
        } catch let error as ValidationError {
            fail(error.message, ExitStatus.usage)
        } catch {
            // Help and version requests, and parse errors found while running, come as
            // ArgumentParser errors; anything else stopped the run.
            let code = Footprint.exitCode(for: error)
            let message = Footprint.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(ExitStatus.success)
            }
            if code.rawValue == 64 || code == .validationFailure {
                FileHandle.standardError.write(Data((message + "\n").utf8))
                exit(ExitStatus.usage)
            }
            fail(message.isEmpty ? ErrorText.plain(error) : message, ExitStatus.incomplete)
        }
    }

    static func fail(_ message: String, _ status: Int32) -> Never {
        FileHandle.standardError.write(Data(("footprint: " + TerminalText.visible(message) + "\n").utf8))
        exit(status)
    }
}
