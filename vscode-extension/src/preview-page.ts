// The preview webview's page. The rendered email HTML is untrusted content (it carries sample data
// and whatever the template author wrote): it goes into a sandboxed iframe without `allow-scripts`
// or `allow-same-origin`, under a policy with no script source at all. Everything else on the page
// is text, escaped.
import type { PreviewMessageResult } from './protocol.js';

export function escapeHtml(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** No scripts anywhere; inline styles (emails are styled inline) and images from https and data URLs. */
export const previewContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; font-src https: data:";

const pageStyle = `
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em 1em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
  dt { opacity: .75; }
  iframe { width: 100%; height: 32em; border: 1px solid var(--vscode-panel-border); background: #fff; }
  .warning { border: 1px solid var(--vscode-inputValidation-warningBorder, #b89500); background: var(--vscode-inputValidation-warningBackground, #352a05); padding: .6em .8em; margin: 1em 0; }
  pre { white-space: pre-wrap; padding: .6em; background: var(--vscode-textCodeBlock-background); }
`;

export function previewPage(title: string, preview: PreviewMessageResult): string {
    const sections: string[] = [];
    const facts = [
        ['Channel', preview.channel],
        ...(preview.subject !== undefined ? [['Subject', preview.subject]] : []),
        ...(preview.title !== undefined ? [['Title', preview.title]] : []),
        ['Sample event', preview.sample.source],
    ];
    if (preview.sample.warning) {
        // Command links (the webview allows exactly these two commands); everything else is escaped text.
        sections.push(`<div class="warning" role="alert"><strong>Sample does not match the schema.</strong> ${escapeHtml(preview.sample.warning)}`
            + `<br><a href="command:followup.pickSample">Pick another sample</a> · <a href="command:followup.editSample">Edit sample</a></div>`);
    }
    sections.push(`<dl>${facts.map(([term, value]) => `<dt>${escapeHtml(term!)}</dt><dd>${escapeHtml(value!)}</dd>`).join('')}</dl>`);
    if (preview.html !== undefined) {
        // The framed document gets the same policy, so it holds even if a browser did not pass it on.
        const framed = `<meta http-equiv="Content-Security-Policy" content="${previewContentSecurityPolicy}">${preview.html}`;
        sections.push(`<h2>HTML</h2><iframe sandbox="" referrerpolicy="no-referrer" title="Rendered HTML" srcdoc="${escapeHtml(framed)}"></iframe>`);
    }
    if (preview.text !== undefined) sections.push(`<h2>Text</h2><pre>${escapeHtml(preview.text)}</pre>`);
    sections.push(`<h2>Sample data</h2><pre>${escapeHtml(JSON.stringify(preview.sample.data, null, 2) ?? 'undefined')}</pre>`);
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${previewContentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${pageStyle}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${sections.join('\n')}
</body>
</html>
`;
}
