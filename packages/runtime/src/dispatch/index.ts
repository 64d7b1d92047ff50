export { dispatchOutbox, type DispatchCounts, type DispatchOptions, type DispatchReport, type SentMessage } from './dispatch-outbox.js';
export { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from './backoff.js';
export { applyDispatch } from './apply-dispatch.js';
