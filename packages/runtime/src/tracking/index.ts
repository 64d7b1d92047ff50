export { applyTracking, clickUrl, openPixelUrl, unsubscribeUrl, LINK_NAME_ATTRIBUTE, type TrackingOptions } from './apply-tracking.js';
export { trackingDecorator, trackingDraftDecorator, type MessageDraftLike, type ContentDecorator, type DecoratableContent, type DecoratedDelivery, type TrackingDecoratorOptions } from './decorate.js';
export { signToken, verifyToken, checkTrackingSecret, TrackingSecretError, MIN_SECRET_LENGTH, type TrackingToken, type TokenKind } from './tokens.js';
export { deliveryIdFromMessageId } from './message-id.js';
export { recordTracking, suppressAddress, findDelivery, type TrackingRecord, type SuppressionReason } from './record-tracking.js';
export { trackingFromEnvironment, TrackingConfigError, SECRET_ENV, PUBLIC_URL_ENV, UNSUBSCRIBE_MAILTO_ENV } from './tracking-config.js';
export { escapeHtml } from '../html/escape-html.js';
