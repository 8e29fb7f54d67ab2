export {};
export { appendAudit, AuditRepository } from './lib/repositories/audit.repository';
export type { AuditActorKind, AuditEvent, AuditEventInput } from './lib/repositories/audit.repository';
