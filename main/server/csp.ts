/**
 * The renderer's Content Security Policy, one policy for both shells: Electron sets it on every response of the
 * app's session, browser mode on every HTTP response. Only the app's own files run; the only connection is to the
 * bench (IPC in Electron; the loopback WebSocket in browser mode). Inline styles set through the DOM (React's
 * `style` prop, the virtualised list's row offsets) are CSSOM writes, which style-src does not restrict.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
