import { NodeFileSystem } from 'langium/node';
import { createFollowupServices, loadSources, unloadProject, type FollowupDiagnostic, type LoadedProject } from '../../src/index.js';

const services = createFollowupServices(NodeFileSystem).Followup;

export const schema = `
event cartAbandonment {
  key customerId
  customerId: string
  email: email
  phone: phone?
  firstName: string
  cartTotal: decimal
  currency: string
  items: list<CartItem>
  cartUrl: url
  loyaltyMember: boolean
  abandonedAt: timestamp
}
event purchase { key customerId  customerId: string  email: email  total: decimal }
type CartItem { sku: string  name: string  price: decimal  quantity: int }
message followup for cartAbandonment email {
  subject: "{{ firstName }}, your cart is waiting"
  text: "Hi {{ firstName }}"
}
message lastChance for cartAbandonment email { subject: "Last chance" text: "{{ cartUrl }}" }
message followup for cartAbandonment sms { text: "{{ firstName }}: {{ cartUrl }}" }
`;

/** Loads files held in memory with shared services (unloaded afterwards), like the editor would. */
export async function check(files: Record<string, string>, baseDir?: string): Promise<LoadedProject> {
    const project = await loadSources(files, { services, ...(baseDir ? { baseDir } : {}) });
    unloadProject(project);
    return project;
}

export async function diagnosticsOf(rules: string, extraSchema = ''): Promise<FollowupDiagnostic[]> {
    const project = await check({ 'schema.followup': schema + extraSchema, 'rules.followup': rules });
    return project.diagnostics;
}

export function brief(d: FollowupDiagnostic) {
    return { code: d.code, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn };
}
