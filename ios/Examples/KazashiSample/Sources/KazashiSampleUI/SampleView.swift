#if canImport(SwiftUI)
import KazashiSampleCore
import SwiftUI

/// The sample's screens: a picker for status / log in / sign, the virtual-card switch, the inputs
/// of the chosen flow, the progress line (from ProgressRelay with the virtual card; Core NFC's sheet
/// shows it during a tap) and the result or the error (ReaderMessages' sentence).
public struct SampleView: View {
    @StateObject private var model = SampleModel()

    public init() {}

    public var body: some View {
        Form {
            Picker("Flow", selection: $model.screen) {
                Text("Status / 状態").tag(SampleScreen.status)
                Text("Log in / ログイン").tag(SampleScreen.login)
                Text("Sign / 署名").tag(SampleScreen.sign)
            }
            .pickerStyle(.segmented)

            if model.virtualCardAvailable {
                Toggle("Virtual card / 仮想カード", isOn: $model.useVirtualCard)
            }

            switch model.screen {
            case .status:
                EmptyView()
            case .login:
                SecureField("PIN (4 digits)", text: $model.pin)
                Toggle("I know one attempt is left / 残り1回を承知", isOn: $model.confirmLastAttempt)
            case .sign:
                TextField("Text to sign / 署名する文", text: $model.text)
                SecureField("Signing password", text: $model.password)
                Toggle("I know one attempt is left / 残り1回を承知", isOn: $model.confirmLastAttempt)
            }

            Button("Start / 開始") { model.start() }
                .disabled(model.busy || !model.canRun)

            if !model.progress.isEmpty {
                Text(model.progress)
            }
            if !model.result.isEmpty {
                Text(model.result)
            }
            if !model.error.isEmpty {
                Text(model.error).foregroundColor(.red)
            }
        }
    }
}
#endif
