import { describe, expect, it } from 'vitest';
import { LazyDict, Template, TemplateError, parseLiteral } from '../../../src-main/host/template';

function render(src: string, ctx: Record<string, unknown> = {}): string {
  return new Template('test', src).render(ctx);
}

describe('macro templates: expressions', () => {
  it('renders expressions in single braces with params and filters', () => {
    const params = { BED_TEMP: '65', S: '0' };
    expect(render('M140 S{params.BED_TEMP|default(60)|float}', { params })).toBe('M140 S65.0');
    expect(render('M140 S{params.MISSING|default(60)|float}', { params })).toBe('M140 S60.0');
    expect(render('{params.BED_TEMP|int + 5}', { params })).toBe('70');
    expect(render('{ 1.0/4 if 4 > 0 else 1 }')).toBe('0.25');
    expect(render('{ (1 + 2) * 3 }/{ 7 // 2 }/{ 7 % 3 }/{ 2 ** 3 }/{ -3|abs }')).toBe('9/3/1/8/3');
    expect(render('{ "a" ~ 1 ~ "b" }')).toBe('a1b');
    expect(render('{ 2.5|round }|{ 3.14159|round(2) }')).toBe('3.0|3.14');
  });
  it('formats with Python % and adjacent string literals', () => {
    expect(render('{ "T: %.2f C\\n" "H: %d%%" % (21.456, 40) }')).toBe('T: 21.46 C\nH: 40%');
    expect(render('{ "%s-%5.1f|%-4s|" % ("x", 2.25, "ab") }')).toBe('x-  2.2|ab  |');
  });
  it('compares and tests', () => {
    const printer = { toolhead: { homed_axes: 'xy' } };
    expect(render("{ 'x' in printer.toolhead.homed_axes }", { printer })).toBe('True');
    expect(render("{ 'z' not in printer.toolhead.homed_axes }", { printer })).toBe('True');
    expect(render('{ 1 < 2 < 3 }{ 3 < 2 }')).toBe('TrueFalse');
    expect(render('{ params.X is defined }{ params.X is not defined }', { params: {} })).toBe('FalseTrue');
    expect(render('{ 4 is divisibleby 2 }')).toBe('True');
  });
  it('reads the printer tree, including names with spaces, lazily', () => {
    const asked: string[] = [];
    const printer = new LazyDict(
      (k) => {
        asked.push(k);
        return k === 'gcode_macro FOO' ? new LazyDict((v) => (v === 'count' ? 3 : undefined), () => ['count']) : undefined;
      },
      () => ['gcode_macro FOO'],
    );
    expect(render('{ printer["gcode_macro FOO"].count + 1 }', { printer })).toBe('4');
    expect(asked).toEqual(['gcode_macro FOO']);
  });
  it('supports string, list and dict methods', () => {
    expect(render('{ "a,b,c".split(",")|join("-") }|{ "Ab".lower() }|{ " x ".strip() }')).toBe('a-b-c|ab|x');
    expect(render('{% set d = {"a": 1, "b": 2} %}{% for k, v in d.items() %}{k}={v};{% endfor %}')).toBe('a=1;b=2;');
    expect(render('{ [3, 1, 2]|sort|list }{ [1, 2, 3][-1] }{ "hello"[1:3] }')).toBe('[1, 2, 3]3el');
  });
});

describe('macro templates: statements', () => {
  it('runs if/elif/else, for with loop variables, and set', () => {
    const src = '{% set n = params.N|int %}{% if n > 2 %}big{% elif n == 2 %}two{% else %}small{% endif %}';
    expect(render(src, { params: { N: '3' } })).toBe('big');
    expect(render(src, { params: { N: '2' } })).toBe('two');
    expect(render(src, { params: { N: '0' } })).toBe('small');
    expect(render('{% for i in range(3) %}{loop.index}:{i}{% if not loop.last %},{% endif %}{% endfor %}')).toBe('1:0,2:1,3:2');
    expect(render('{% for i in [] %}x{% else %}empty{% endfor %}')).toBe('empty');
    expect(render('{% for i in range(6) if i is even %}{i}{% endfor %}')).toBe('024');
  });
  it('trims whitespace around {%- -%} and drops {# comments #}', () => {
    expect(render('a  {%- set x = 1 -%}  b {# note #}c')).toBe('ab c');
  });
  it('renders a multi-line macro like sample-macros.cfg', () => {
    const src = [
      '{% set BED_TEMP = params.BED_TEMP|default(60)|float %}',
      'M140 S{BED_TEMP}',
      'G28',
      'M190 S{BED_TEMP}',
    ].join('\n');
    expect(render(src, { params: {} }).trim().split('\n')).toEqual(['M140 S60.0', 'G28', 'M190 S60.0']);
  });
  it('calls action_respond_info and action_raise_error', () => {
    const said: string[] = [];
    const out = new Template('t', 'A{action_respond_info("hi %d" % 5)}B').render({}, { respondInfo: (m) => said.push(m) });
    expect(said).toEqual(['hi 5']);
    expect(out).toBe('AB');
    expect(() => render('{action_raise_error("bad thing")}')).toThrow("Error evaluating 'test': bad thing");
  });
  it('reports syntax errors with the template name', () => {
    expect(() => new Template('gcode_macro X:gcode', '{% if 1 %}no end')).toThrow("Error loading template 'gcode_macro X:gcode': missing {% endif %}");
    expect(() => render('{ 1 + }')).toThrow(TemplateError);
    expect(() => render('{ undefined_name + 1 }')).toThrow("'undefined_name' is undefined");
  });
});

describe('macro templates: sandbox', () => {
  // A printer.cfg from the internet must not run code on the user's machine.
  const escapes = [
    '{{ range.constructor("return process")() }}',
    '{ range.constructor("return process")() }',
    '{ range.__class__ }',
    '{ "".__class__.__mro__ }',
    '{ params.__proto__ }',
    '{ params["__proto__"] }',
    '{ printer.constructor }',
    '{ [].constructor.constructor("return process")() }',
    '{ lipsum.__globals__ }',
    '{ cycler.__init__.__globals__.os }',
    '{ self._TemplateReference__context }',
    '{ "".format.constructor("return this")() }',
  ];
  for (const src of escapes) {
    it(`blocks ${src}`, () => {
      let out: string | undefined;
      try {
        out = render(src, { params: { A: '1' }, printer: { toolhead: {} } });
      } catch (e) {
        expect(e).toBeInstanceOf(TemplateError);
        return;
      }
      // Rendering without error is only acceptable when nothing was reached.
      expect(out).not.toMatch(/process|function|object|class/i);
      expect(out).toBe('');
    });
  }
  it('bounds runaway loops and output', () => {
    expect(() => render('{% for i in range(2000000) %}{% endfor %}')).toThrow(TemplateError);
    expect(() => render('{ "x" * 100000000 }{ "x" * 100000000 }')).toThrow(TemplateError);
  });
});

describe('parseLiteral (variable_* options)', () => {
  it('parses Python literals', () => {
    expect(parseLiteral('5')).toBe(5);
    expect(parseLiteral("'abc'")).toBe('abc');
    expect(parseLiteral('True')).toBe(true);
    expect(parseLiteral('None')).toBe(null);
    expect(parseLiteral('-2')).toBe(-2);
    expect(new Template('t', '{v}').render({ v: parseLiteral('[1, 2.5, "x"]') })).toBe("[1, 2.5, 'x']");
  });
  it('refuses expressions', () => {
    expect(() => parseLiteral('1 + 2')).toThrow('is not a literal');
    expect(() => parseLiteral('range(3)')).toThrow('is not a literal');
  });
});
