// Stepper positions shared between sim processes. A printer with several MCUs runs one sim per
// MCU; an endstop on one MCU may sit on an axis whose stepper another MCU drives. Each sim
// publishes its steppers' positions in a small fixed-size file (`--positions FILE`, mmap'd and
// updated on every step), and an endstop of another sim maps that file read-only and follows
// the stepper named in its machine description (README.md, "positions_file").
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim.h"

static struct sim_positions *published;
static char published_path[4096];
static struct stat published_stat;

// Written to a temporary file and renamed into place, so a reader never maps a half-made or
// truncated file (a truncated mapping would fault); a restarted sim replaces the inode.
void positions_publish(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, sizeof(struct sim_positions)) < 0) {
        fprintf(stderr, "%s: cannot create the positions file\n", path);
        _exit(2);
    }
    void *p = mmap(0, sizeof(struct sim_positions), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        fprintf(stderr, "%s: cannot map the positions file\n", path);
        _exit(2);
    }
    published = p;
    positions_update_all();
    published->pid = (uint32_t)getpid();
    __atomic_store_n(&published->magic, SIM_POSITIONS_MAGIC, __ATOMIC_RELEASE);
    if (stat(tmp, &published_stat) < 0 || rename(tmp, path) < 0) {
        fprintf(stderr, "%s: cannot create the positions file\n", path);
        _exit(2);
    }
    snprintf(published_path, sizeof(published_path), "%s", path);
}

// At exit: a stopped sim's steppers are unknown to the others (their switches read open once
// they notice, within a second). A file another sim has put there since is left alone.
void positions_unpublish(void)
{
    struct stat st;
    if (published && stat(published_path, &st) == 0 && st.st_ino == published_stat.st_ino &&
        st.st_dev == published_stat.st_dev)
        unlink(published_path);
}

void positions_update_all(void)
{
    if (!published)
        return;
    int n = sim_machine.stepper_count < SIM_MAX_STEPPERS ? sim_machine.stepper_count : SIM_MAX_STEPPERS;
    for (int i = 0; i < n; i++) {
        struct sim_positions_entry *e = &published->steppers[i];
        const struct sim_stepper *s = &sim_machine.steppers[i];
        snprintf(e->name, sizeof(e->name), "%s", s->name);
        e->steps_per_mm = s->steps_per_mm;
        __atomic_store_n(&e->position_steps, s->position_steps, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&published->count, (uint32_t)n, __ATOMIC_RELEASE);
}

void positions_update(const struct sim_stepper *s)
{
    if (!published)
        return;
    int i = (int)(s - sim_machine.steppers);
    if (i >= 0 && i < (int)published->count)
        __atomic_store_n(&published->steppers[i].position_steps, s->position_steps, __ATOMIC_RELAXED);
}

// --- reading another sim's file ---

static int same_file(const struct sim_remote *r)
{
    struct stat st;
    return stat(r->path, &st) == 0 && st.st_ino == r->ino && st.st_dev == r->dev;
}

// Maps the file if it is not mapped yet, or if another sim process replaced it since.
static void remote_open(struct sim_remote *r)
{
    if (r->map && same_file(r))
        return;
    if (r->map) {
        munmap((void *)r->map, sizeof(struct sim_positions));
        r->map = 0;
    }
    int fd = open(r->path, O_RDONLY);
    if (fd < 0)
        return;  // that sim has not started yet: the switch reads open until it has
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(struct sim_positions)) {
        void *p = mmap(0, sizeof(struct sim_positions), PROT_READ, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            r->map = p;
            r->ino = st.st_ino;
            r->dev = st.st_dev;
        }
    }
    close(fd);
}

void positions_remote_refresh(struct sim_remote *r)
{
    remote_open(r);
}

// The remote stepper's position in mm; 0 when it is not known (yet): *known says which.
double positions_remote_mm(struct sim_remote *r, const char *stepper, int *cache_idx, int *known)
{
    *known = 0;
    if (!r->map)
        remote_open(r);
    const struct sim_positions *m = r->map;
    if (!m || __atomic_load_n(&m->magic, __ATOMIC_ACQUIRE) != SIM_POSITIONS_MAGIC)
        return 0;
    uint32_t n = __atomic_load_n(&m->count, __ATOMIC_ACQUIRE);
    int i = *cache_idx;
    if (i < 0 || i >= (int)n || strcmp(m->steppers[i].name, stepper) != 0) {
        for (i = 0; i < (int)n && strcmp(m->steppers[i].name, stepper) != 0; i++)
            ;
        if (i >= (int)n)
            return 0;
        *cache_idx = i;
    }
    const struct sim_positions_entry *e = &m->steppers[i];
    if (!(e->steps_per_mm > 0))
        return 0;
    *known = 1;
    return (double)__atomic_load_n(&e->position_steps, __ATOMIC_RELAXED) / e->steps_per_mm;
}
