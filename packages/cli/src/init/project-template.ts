// The project `followup init` writes: the README's "Your first rule", ready to check, compile, import,
// run and preview at once. Its .followup files are the README's snippets (a test checks they agree).

export const firstEvent = `event cartAbandonment {
  customerId: string
  email: email            // the recipient of the email channel
  firstName: string
  cartTotal: decimal
  cartUrl: url
}
`;

export const firstMessage = `message followup for cartAbandonment email {
  subject: "{{ firstName }}, your cart is waiting"
  html: file "templates/followup.html"
  text: "You left {{ cartTotal }} in your cart: {{ cartUrl }}"
}
`;

export const firstRule = `when cartAbandonment sent 3 days ago and not opened then send followup email
`;

const eventsFile = `// The events your shop sends, with the fields their messages may use.
${firstEvent}
// Any other event of the same customer: \`not purchase since sent\` in a rule stops a reminder.
event purchase {
  customerId: string
  email: email
  orderTotal: decimal
}
`;

const messagesFile = `// The follow-up: {{ }} reads the event's fields; the HTML part is a file next to it.
${firstMessage}`;

const rulesFile = `// Three days after the cart-abandonment email, if it was not opened, send the follow-up.
${firstRule}`;

const template = `<!doctype html>
<html>
  <body style="font-family: sans-serif">
    <h1>{{ firstName }}, your cart is waiting</h1>
    <p>You left <strong>{{ cartTotal }}</strong> in your cart.</p>
    {{#if cartTotal > 100}}<p>Shipping is on us for this one.</p>{{/if}}
    <p><a href="{{ cartUrl }}">Back to my cart</a></p>
  </body>
</html>
`;

const config = {
    from: 'Shop <shop@example.com>',
    transports: { email: 'outbox:.followup/outbox', sms: 'outbox:.followup/outbox', push: 'outbox:.followup/outbox' },
};

/** The instant `followup run --now` is given in the next steps: three days after the sample carts. */
export const sampleNow = '2026-11-23T12:00:00Z';

function historyLines(): string {
    const carts = [
        { id: 'cart-1', customer: 'c1', email: 'ana@example.com', firstName: 'Ana', total: 120.5, at: '2026-11-20T09:00:00Z', opened: false },
        { id: 'cart-2', customer: 'c2', email: 'ben@example.com', firstName: 'Ben', total: 35, at: '2026-11-20T09:30:00Z', opened: true },
        { id: 'cart-3', customer: 'c3', email: 'chloe@example.com', firstName: 'Chloé', total: 64.9, at: '2026-11-20T10:15:00Z', opened: false },
    ];
    const lines: object[] = [];
    for (const c of carts) {
        lines.push({
            kind: 'event', id: c.id, type: 'cartAbandonment', at: c.at,
            data: { customerId: c.customer, email: c.email, firstName: c.firstName, cartTotal: c.total, cartUrl: `https://shop.example/cart/${c.id}` },
        });
        const sent = new Date(Date.parse(c.at) + 60_000).toISOString().replace('.000Z', 'Z');
        lines.push({ kind: 'delivery', id: `${c.id}-email`, event: c.id, message: 'transactional', channel: 'email', to: c.email, at: sent });
        if (c.opened) lines.push({ kind: 'open', delivery: `${c.id}-email`, at: '2026-11-21T08:00:00Z' });
    }
    lines.push({ kind: 'event', id: 'order-1', type: 'purchase', at: '2026-11-21T18:00:00Z', data: { customerId: 'c3', email: 'chloe@example.com', orderTotal: 64.9 } });
    return lines.map(l => JSON.stringify(l)).join('\n') + '\n';
}

function readme(name: string): string {
    return `# ${name}

A followup project: \`events.followup\` declares what the shop sends, \`messages.followup\` the
follow-up message (its HTML in \`templates/\`), \`rules.followup\` when to send it.
\`history.jsonl\` is sample history; \`followup.config.json\` says where messages go (by default
files in \`.followup/outbox\`).

\`\`\`sh
npx followup check .
npx followup compile . --out build
npx followup import history.jsonl --project .
npx followup run . --now ${sampleNow}
npx followup preview . --rule cartAbandonment_followup_email
\`\`\`
`;
}

/** Path (relative to the project) → content. */
export function projectFiles(name: string): Record<string, string> {
    return {
        'events.followup': eventsFile,
        'messages.followup': messagesFile,
        'rules.followup': rulesFile,
        'templates/followup.html': template,
        'followup.config.json': JSON.stringify(config, null, 2) + '\n',
        'history.jsonl': historyLines(),
        '.gitignore': '.followup/\nbuild/\n',
        'README.md': readme(name),
    };
}
