// Text into HTML (element content or a quoted attribute): the report page, the operator page, the
// unsubscribe page and the tracking decoration of rendered emails all escape through this one.
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
