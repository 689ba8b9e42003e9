"""Events for the lender's system: what happened to an application, POSTed as signed JSON (Standard Webhooks).

An event is a row of the event outbox written in the transaction of the change that causes it (`record`), so
it exists exactly when the change does. `smsbot worker` sends the rows after commit (`delivery`): at least once,
an application's events in the order they were written, each retried with backoff for a day and then `dead`
until an admin retries it or `smsbot events replay` re-sends it (`admin`).

Conversation moves name their events through `from_moves`; other changes (decisions, phone changes) call
`record.record_event`. This package sits below `conversation/` and beside `delivery/`: it imports only the
models, the settings and the state names."""
