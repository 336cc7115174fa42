import Testing

@testable import Notifications

@Suite(.timeLimit(.minutes(2))) struct NotificationsModuleTests {
    @Test func theModuleIsLinked() {
        #expect(String(describing: Notifications.self) == "Notifications")
    }
}
