// Klipper-style macro templates (a Jinja2 subset), interpreted without ever running JavaScript.
export { Template, parseLiteral, type RenderHooks } from './render';
export { TemplateError } from './lexer';
export { LazyDict, toHost, fromHost } from './values';
