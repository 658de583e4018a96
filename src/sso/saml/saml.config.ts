import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RequestContext } from '../../lib/context.js';
import { XmlError } from '../saml-core/xml.js';
import { parseSpMetadata } from './sp-metadata.js';
import { serviceProviderInput, serviceProviderPatch, type ServiceProviderInput } from './sp.schemas.js';
import type { ServiceProviderService } from './sp.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SamlConfigDeps = { serviceProviders: ServiceProviderService };

/**
 * `saml.serviceProviders` and `wsfed.relyingParties` in the declarative config file: each entry
 * is the API's service-provider body, where SAML entries may take entity ID, ACS, SLO and
 * certificates from `metadataFile` (SP metadata XML) and certificates from `certificateFiles`;
 * inline fields win over the metadata. Matched by entity ID (realm): applied idempotently.
 */
const declaredEntry = serviceProviderPatch
  .extend({
    metadataFile: z.string().min(1).optional(),
    certificateFiles: z.array(z.string().min(1)).max(4).optional(),
  })
  .strict();

export const samlConfigSchema = z.object({ serviceProviders: z.array(declaredEntry).optional() }).strict();
export const wsfedConfigSchema = z.object({ relyingParties: z.array(declaredEntry.omit({ metadataFile: true })).optional() }).strict();

type Fail = (where: string, message: string) => Error;

/** Reads the files the entries name and checks each entry is complete; nothing is written. */
export function resolveDeclaredServiceProviders(
  file: string,
  cfg: { saml?: z.infer<typeof samlConfigSchema>; wsfed?: z.infer<typeof wsfedConfigSchema> },
  fail: Fail,
): { saml: ServiceProviderInput[]; wsfed: ServiceProviderInput[] } {
  const read = (where: string, target: string) => {
    const full = path.resolve(path.dirname(file), target);
    try {
      return fs.readFileSync(full, 'utf8');
    } catch (err) {
      throw fail(where, `cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const resolve = (where: string, entry: z.infer<typeof declaredEntry>): ServiceProviderInput => {
    const { metadataFile, certificateFiles, ...inline } = entry;
    let fromMetadata: Partial<ServiceProviderInput> = {};
    if (metadataFile) {
      try {
        const m = parseSpMetadata(read(`${where}.metadataFile`, metadataFile));
        fromMetadata = { ...m, nameIdFormat: m.nameIdFormat ?? undefined };
      } catch (err) {
        if (err instanceof XmlError) throw fail(`${where}.metadataFile`, `the metadata cannot be used: ${err.message}`);
        throw err;
      }
    }
    const certificates = certificateFiles?.map((f, i) => read(`${where}.certificateFiles[${i}]`, f));
    const merged = { ...fromMetadata, ...inline, ...(certificates ? { certificates: [...(inline.certificates ?? []), ...certificates] } : {}) };
    const parsed = serviceProviderInput.safeParse(merged);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw fail([where, ...issue.path.map(String)].join('.'), issue.message);
    }
    return merged as ServiceProviderInput;
  };
  return {
    saml: (cfg.saml?.serviceProviders ?? []).map((e, i) => resolve(`saml.serviceProviders[${i}]`, e)),
    wsfed: (cfg.wsfed?.relyingParties ?? []).map((e, i) => resolve(`wsfed.relyingParties[${i}]`, e)),
  };
}

/** Creates or updates the declared SPs and RPs; returns the change lines for the config log. */
export async function applyDeclaredServiceProviders(
  services: SamlConfigDeps,
  ctx: RequestContext,
  declared: { saml: ServiceProviderInput[]; wsfed: ServiceProviderInput[] },
  fail: Fail,
): Promise<string[]> {
  const changes: string[] = [];
  for (const [protocol, list, where] of [
    ['saml', declared.saml, 'saml.serviceProviders'],
    ['wsfed', declared.wsfed, 'wsfed.relyingParties'],
  ] as const) {
    for (const [i, input] of list.entries()) {
      const result = await services.serviceProviders.applyDeclared(ctx, protocol, [input]).catch((err) => {
        throw fail(`${where}[${i}]`, (err as Error).message);
      });
      if (result.created) changes.push(`${protocol === 'saml' ? 'SAML service provider' : 'WS-Fed relying party'} ${input.entityId} created`);
      if (result.updated) changes.push(`${protocol === 'saml' ? 'SAML service provider' : 'WS-Fed relying party'} ${input.entityId} updated`);
    }
  }
  return changes;
}
