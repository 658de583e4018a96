/** The agent's own version: sent in the enrolment facts and printed by `tessera-agent --version`. */
export const AGENT_VERSION = '1.0.0';
