// What the tests that deploy a flow to a whole Node-RED (scripts/lib/nodered.js) share.

/**
 * The flow's config node `cfg`, its credentials inline as a deploy through the admin API carries
 * them (the node helper's `config()` keeps them apart).
 */
export function childConfig(
  url: string,
  credentials: Record<string, string>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { id: 'cfg', type: 'webtapi-config', name: 'pbx', url, timeout: 2000, credentials, ...extra };
}
