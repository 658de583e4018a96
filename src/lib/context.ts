/** Who is acting and from where: passed from routes to services, recorded in the audit log. */
export interface Actor {
  type: 'admin' | 'employee' | 'api_key' | 'workstation' | 'system' | 'config' | 'anonymous';
  id: string | null;
  label: string | null;
}

export interface RequestContext {
  actor: Actor;
  ip: string | null;
  userAgent: string | null;
}

export const systemContext = (label = 'system'): RequestContext => ({ actor: { type: 'system', id: null, label }, ip: null, userAgent: null });
export const configContext = (file: string): RequestContext => ({ actor: { type: 'config', id: null, label: file }, ip: null, userAgent: null });
export const cliContext = (): RequestContext => ({ actor: { type: 'system', id: null, label: 'cli' }, ip: null, userAgent: null });
