#ifndef SIM_JSON_H
#define SIM_JSON_H
// A small JSON reader for the machine description (sim only; allocates at startup).

enum json_kind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_kind kind;
    double number;      // JSON_NUMBER, JSON_BOOL (0/1)
    char *string;       // JSON_STRING
    char *key;          // member name when inside an object
    struct json *child; // first element / member
    struct json *next;  // next sibling
    int line;           // where it started, for error messages
};

// Parse text; on error returns 0 and writes "line N: what" into err.
struct json *json_parse(const char *text, char *err, int errlen);
struct json *json_get(const struct json *obj, const char *key);
void json_free(struct json *j);

#endif
