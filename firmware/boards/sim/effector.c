// Where the nozzle really is, for a probe switch on a printer whose Z is not one stepper's
// position (README "endstops": "delta", "gantry"). The switch triggers where that height
// reaches trigger_position_mm, whatever the host believes about the machine, so a printer.cfg
// that is a little off (a tower endstop, a twisted gantry) shows in what the probe reports.
//   "delta":  three carriages hang the effector on arms: the point at arm length from each
//             carriage (the lower of the two), carriage height = stepper mm + carriage_offset_mm.
//   "gantry": four Z motors carry a flying gantry at its corners (front left, back left, back
//             right, front right); its height under the toolhead (x_stepper, y_stepper) is the
//             bilinear blend of the corner heights, corner height = stepper mm + offset_mm
//             ("corexy": true: the two steppers are a corexy's A and B, x = (a+b)/2, y = (a-b)/2).
#include <math.h>
#include <string.h>
#include "json.h"
#include "sim.h"

#define MAX_EFFECTORS 4
struct effector {
    int is_delta;
    int stepper[4];
    double x[4], y[4], arm_mm[4], offset_mm[4];
    int x_stepper, y_stepper, corexy;
};
static struct effector effectors[MAX_EFFECTORS];
static int effector_count;

static int stepper_of(const struct json *obj, const char *key, const char *what)
{
    const char *name = machine_get_str(obj, key, 0, what);
    int idx = machine_stepper_index(name);
    if (idx < 0)
        machine_die(obj, "%s: no stepper named \"%s\" (the effector's steppers must be on this sim)", what, name);
    return idx;
}

// A list of `count` objects under `key`, each read by `one`.
static const struct json *list_of(const struct json *obj, const char *key, int count, const char *what)
{
    const struct json *l = json_get(obj, key);
    int n = 0;
    for (const struct json *e = l && l->kind == JSON_ARRAY ? l->child : 0; e; e = e->next)
        n++;
    if (n != count)
        machine_die(l ? l : obj, "%s: \"%s\" must list exactly %s objects", what, count == 3 ? "towers" : "corners");
    return l->child;
}

int effector_load(const struct json *delta, const struct json *gantry, const char *name)
{
    if (!delta && !gantry)
        return -1;
    if (delta && gantry)
        machine_die(delta, "%s: an endstop has either \"delta\" or \"gantry\", not both%s", name, "");
    if (effector_count >= MAX_EFFECTORS)
        machine_die(delta ? delta : gantry, "%s: too many delta/gantry probes (max %s)", name, "4");
    struct effector *ef = &effectors[effector_count];
    memset(ef, 0, sizeof(*ef));
    const double zero = 0;
    if (delta) {
        ef->is_delta = 1;
        int i = 0;
        for (const struct json *t = list_of(delta, "towers", 3, name); t; t = t->next, i++) {
            ef->stepper[i] = stepper_of(t, "stepper", name);
            ef->x[i] = machine_get_num(t, "x", 0, name);
            ef->y[i] = machine_get_num(t, "y", 0, name);
            ef->arm_mm[i] = machine_get_num(t, "arm_mm", 0, name);
            ef->offset_mm[i] = machine_get_num(t, "carriage_offset_mm", &zero, name);
        }
    } else {
        ef->x_stepper = stepper_of(gantry, "x_stepper", name);
        ef->y_stepper = stepper_of(gantry, "y_stepper", name);
        const struct json *cxy = json_get(gantry, "corexy");
        ef->corexy = cxy && cxy->kind == JSON_BOOL && cxy->number != 0;
        int i = 0;
        for (const struct json *c = list_of(gantry, "corners", 4, name); c; c = c->next, i++) {
            ef->stepper[i] = stepper_of(c, "stepper", name);
            ef->x[i] = machine_get_num(c, "x", 0, name);
            ef->y[i] = machine_get_num(c, "y", 0, name);
            ef->offset_mm[i] = machine_get_num(c, "offset_mm", &zero, name);
        }
        if (ef->x[0] == ef->x[2] || ef->y[0] == ef->y[2])
            machine_die(gantry, "%s: gantry corners 1 and 3 (front left, back right) must differ in x and y%s", name, "");
    }
    return effector_count++;
}

static double stepper_mm(int idx)
{
    return machine_stepper_mm(&sim_machine.steppers[idx]);
}

// The effector: the point at arm length from the three carriages, below them. Subtracting
// carriage 0's sphere from the others gives x and y as linear functions of z; its sphere then
// gives z (the lower root).
static double delta_z(const struct effector *ef)
{
    double cx[3], cy[3], cz[3], k[3];
    for (int i = 0; i < 3; i++) {
        cx[i] = ef->x[i];
        cy[i] = ef->y[i];
        cz[i] = stepper_mm(ef->stepper[i]) + ef->offset_mm[i];
        k[i] = cx[i] * cx[i] + cy[i] * cy[i] + cz[i] * cz[i] - ef->arm_mm[i] * ef->arm_mm[i];
    }
    double a1 = 2 * (cx[1] - cx[0]), b1 = 2 * (cy[1] - cy[0]), r1 = k[1] - k[0], s1 = -2 * (cz[1] - cz[0]);
    double a2 = 2 * (cx[2] - cx[0]), b2 = 2 * (cy[2] - cy[0]), r2 = k[2] - k[0], s2 = -2 * (cz[2] - cz[0]);
    double det = a1 * b2 - a2 * b1;
    double xr = (r1 * b2 - r2 * b1) / det, xs = (s1 * b2 - s2 * b1) / det;
    double yr = (a1 * r2 - a2 * r1) / det, ys = (a1 * s2 - a2 * s1) / det;
    double dx = xr - cx[0], dy = yr - cy[0];
    double qa = xs * xs + ys * ys + 1;
    double qb = 2 * (dx * xs + dy * ys - cz[0]);
    double qc = dx * dx + dy * dy + cz[0] * cz[0] - ef->arm_mm[0] * ef->arm_mm[0];
    double disc = qb * qb - 4 * qa * qc;
    if (disc < 0)
        return HUGE_VAL;  // arms cannot reach: the effector is nowhere near the bed
    return (-qb - sqrt(disc)) / (2 * qa);
}

static double gantry_z(const struct effector *ef)
{
    double h[4];
    for (int i = 0; i < 4; i++)
        h[i] = stepper_mm(ef->stepper[i]) + ef->offset_mm[i];
    double a = stepper_mm(ef->x_stepper), b = stepper_mm(ef->y_stepper);
    double x = ef->corexy ? 0.5 * (a + b) : a, y = ef->corexy ? 0.5 * (a - b) : b;
    double u = (x - ef->x[0]) / (ef->x[2] - ef->x[0]);
    double v = (y - ef->y[0]) / (ef->y[2] - ef->y[0]);
    double front = h[0] + (h[3] - h[0]) * u;
    double back = h[1] + (h[2] - h[1]) * u;
    return front + (back - front) * v;
}

double effector_height_mm(int idx)
{
    const struct effector *ef = &effectors[idx];
    return ef->is_delta ? delta_z(ef) : gantry_z(ef);
}
