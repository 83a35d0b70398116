package jp.kazashi.android

import jp.kazashi.KazashiException

/**
 * The sentences for the user that every [KazashiException] carries: what happened (`reason`) and
 * what to do next (`action`), both from the core's one list of error kinds.
 *
 * `message` is a debugging string (`"kind=…, reason=…"`); show this instead. A UI can switch on
 * `(e as KazashiException.Failed).kind` for the cases it handles specially and show
 * `e.userMessage` for the rest.
 */
val KazashiException.userMessage: String
    get() =
        when (this) {
            is KazashiException.Failed -> if (reason.endsWith(".")) "$reason $action" else "$reason. $action"
        }
