#if canImport(SwiftUI)
import KazashiSampleUI
import SwiftUI

/// The sample app: one window with ``SampleView``.
@main
struct KazashiSampleApp: App {
    var body: some Scene {
        WindowGroup {
            SampleView()
        }
    }
}
#else
/// Without SwiftUI (Linux) there is no app to show; the flows are tested by KazashiSampleTests.
@main
enum KazashiSampleApp {
    static func main() {
        print("The Kazashi sample needs SwiftUI (iOS or macOS).")
    }
}
#endif
