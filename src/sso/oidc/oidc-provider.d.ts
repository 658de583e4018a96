// oidc-provider 9 ships no type declarations (DefinitelyTyped's cover 8). What Tessera uses of it,
// typed loosely where the library's own objects are dynamic (models, contexts).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;
  export type KoaContextWithOIDC = Any;
  export type Configuration = Record<string, Any>;
  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string; uid: string; cookie: string };
    grantId?: string;
    iat?: number;
    exp: number;
    returnTo: string;
    lastSubmission?: Record<string, unknown>;
  }
  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    proxy: boolean;
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      opts?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: Any[]) => void): this;
    /** Koa middleware around every provider route (the provider is a Koa application). */
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    Client: Any;
    Grant: Any;
    AccessToken: Any;
    RefreshToken: Any;
    IdToken: Any;
    Session: Any;
    Interaction: Any;
  }
  export const errors: Record<string, new (description?: string) => Error>;
  export const interactionPolicy: Any;
}
