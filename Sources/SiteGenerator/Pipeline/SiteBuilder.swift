import Foundation
import Logging
import StoreModel

/// Builds a static shop from a content directory: the entry point of the generator.
///
/// The build is a pipeline of named steps that share a `BuildContext`. Nothing becomes live until
/// the last step, and only if every step before it succeeded.
public struct SiteBuilder: Sendable {
    /// What to build.
    public var options: BuildOptions
    /// Where progress goes.
    public var logger: Logger

    /// Creates a builder.
    public init(options: BuildOptions, logger: Logger = Logger(label: "storefront.build")) {
        self.options = options
        self.logger = logger
    }

    /// Runs the build (or, with `checkOnly`, only the validation). Throws `BuildError`.
    public func build() async throws -> BuildReport {
        var context = BuildContext(options: options, logger: logger)
        let steps = options.checkOnly ? BuildSteps.check : BuildSteps.all
        do {
            for step in steps {
                let start = ContinuousClock.now
                let cpuStart = Self.processCPUSeconds()
                try await step.body(&context)
                logger.debug(
                    "step finished",
                    metadata: [
                        "step": "\(step.name)", "seconds": "\(ContinuousClock.now - start)",
                        "cpu": "\(((Self.processCPUSeconds() - cpuStart) * 1000).rounded() / 1000) s",
                    ])
                if context.upToDate { break }
            }
        } catch {
            context.output?.discard()
            throw error
        }
        let elapsed = ContinuousClock.now - context.started
        context.report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report = context.report
        if !options.freesStateOnFinish { _ = Unmanaged.passRetained(KeptState(context)) }
        return report
    }
}

/// Holds a finished build's state for the rest of the process (`BuildOptions.freesStateOnFinish`).
private final class KeptState {
    let context: BuildContext
    init(_ context: BuildContext) { self.context = context }
}

extension SiteBuilder {
    /// CPU time used by the whole process so far (every thread), for the per-step log.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
