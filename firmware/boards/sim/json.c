// A small recursive-descent JSON reader (sim only).
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

struct reader { const char *p; int line; char *err; int errlen; int failed; };

static void fail(struct reader *r, const char *what)
{
    if (!r->failed)
        snprintf(r->err, r->errlen, "line %d: %s", r->line, what);
    r->failed = 1;
}

static void skip_ws(struct reader *r)
{
    while (*r->p && isspace((unsigned char)*r->p)) {
        if (*r->p == '\n')
            r->line++;
        r->p++;
    }
}

static struct json *new_node(struct reader *r, enum json_kind kind)
{
    struct json *j = calloc(1, sizeof(*j));
    if (!j) {
        fail(r, "out of memory");
        return 0;
    }
    j->kind = kind;
    j->line = r->line;
    return j;
}

static char *read_string(struct reader *r)
{
    // r->p at the opening quote
    r->p++;
    size_t cap = 32, n = 0;
    char *s = malloc(cap);
    while (*r->p && *r->p != '"') {
        char c = *r->p++;
        if (c == '\n') {
            fail(r, "newline inside a string");
            break;
        }
        if (c == '\\') {
            char e = *r->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': c = '?'; r->p += strlen(r->p) >= 4 ? 4 : strlen(r->p); break;
            case '"': case '\\': case '/': c = e; break;
            default: fail(r, "bad escape in string"); c = '?';
            }
        }
        if (n + 2 > cap)
            s = realloc(s, cap *= 2);
        s[n++] = c;
    }
    s[n] = 0;
    if (*r->p != '"')
        fail(r, "unterminated string");
    else
        r->p++;
    return s;
}

static struct json *parse_value(struct reader *r, int depth);

static struct json *parse_container(struct reader *r, int depth, int is_object)
{
    struct json *j = new_node(r, is_object ? JSON_OBJECT : JSON_ARRAY);
    if (!j)
        return 0;
    struct json **tail = &j->child;
    r->p++;
    skip_ws(r);
    char close = is_object ? '}' : ']';
    if (*r->p == close) {
        r->p++;
        return j;
    }
    while (!r->failed) {
        char *key = 0;
        skip_ws(r);
        if (is_object) {
            if (*r->p != '"') {
                fail(r, "expected a quoted member name");
                break;
            }
            key = read_string(r);
            skip_ws(r);
            if (*r->p != ':') {
                free(key);
                fail(r, "expected ':' after member name");
                break;
            }
            r->p++;
        }
        struct json *v = parse_value(r, depth + 1);
        if (!v) {
            free(key);
            break;
        }
        v->key = key;
        *tail = v;
        tail = &v->next;
        skip_ws(r);
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == close) {
            r->p++;
            return j;
        }
        fail(r, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    json_free(j);
    return 0;
}

static struct json *parse_value(struct reader *r, int depth)
{
    if (depth > 64) {
        fail(r, "nested too deeply");
        return 0;
    }
    skip_ws(r);
    char c = *r->p;
    if (c == '{' || c == '[')
        return parse_container(r, depth, c == '{');
    if (c == '"') {
        struct json *j = new_node(r, JSON_STRING);
        if (j)
            j->string = read_string(r);
        return j;
    }
    if (c == '-' || isdigit((unsigned char)c)) {
        char *end;
        double v = strtod(r->p, &end);
        if (end == r->p) {
            fail(r, "bad number");
            return 0;
        }
        r->p = end;
        struct json *j = new_node(r, JSON_NUMBER);
        if (j)
            j->number = v;
        return j;
    }
    static const struct { const char *word; enum json_kind kind; double v; } words[] = {
        {"true", JSON_BOOL, 1}, {"false", JSON_BOOL, 0}, {"null", JSON_NULL, 0}};
    for (unsigned i = 0; i < 3; i++) {
        size_t n = strlen(words[i].word);
        if (strncmp(r->p, words[i].word, n) == 0) {
            r->p += n;
            struct json *j = new_node(r, words[i].kind);
            if (j)
                j->number = words[i].v;
            return j;
        }
    }
    fail(r, "unexpected character (expected a JSON value)");
    return 0;
}

struct json *json_parse(const char *text, char *err, int errlen)
{
    struct reader r = { text, 1, err, errlen, 0 };
    struct json *j = parse_value(&r, 0);
    if (j && !r.failed) {
        skip_ws(&r);
        if (*r.p)
            fail(&r, "extra text after the JSON value");
    }
    if (r.failed) {
        json_free(j);
        return 0;
    }
    return j;
}

struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->kind != JSON_OBJECT)
        return 0;
    for (struct json *c = obj->child; c; c = c->next)
        if (c->key && strcmp(c->key, key) == 0)
            return c;
    return 0;
}

void json_free(struct json *j)
{
    while (j) {
        struct json *next = j->next;
        json_free(j->child);
        free(j->string);
        free(j->key);
        free(j);
        j = next;
    }
}
