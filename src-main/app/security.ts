// The renderer's security policy, shared by the Electron window and serve mode's HTTP server.
// No remote content: scripts, styles and connections only from the app itself ('self' also
// covers serve mode's same-origin WebSocket). Web Workers (G-code parsing) come from 'self' or
// blob:; images may be data:/blob: (thumbnails).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
