// The sim board: a whole simulated printer in one process, talking over a pseudo-terminal.
// Usage: tether-sim [--pty PATH] [--machine FILE.json] [--trace FILE] [--positions FILE] [--drop-rate P]
//                   [--corrupt-rate P] [--seed N] [--late-limit-ms MS]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include "sim.h"
#include "command.h"
#include "sched.h"
#include "board/timer.h"
#include "board/irq.h"
#include "board/serial.h"
#include "board/misc.h"
#include "gen/dict.h"

DECL_CONSTANT("CLOCK_FREQ", 50000000);
DECL_CONSTANT_STR("MCU", "tether-sim");
DECL_CONSTANT("SERIAL_BAUD", 250000);
DECL_CONSTANT("STEPPER_STEP_BOTH_EDGE", 1);

static int pty_master = -1, pty_slave = -1;
static const char *pty_link;
static volatile sig_atomic_t exit_requested;
static double drop_rate, corrupt_rate;
static uint64_t rng_state = 1;
// 2 s: the sim is a process on a shared machine (a laptop, or CI running test files side by
// side on 2 cores) and stalls of over 500 ms were seen to shut it down; real boards are strict.
static uint32_t late_limit_ticks = SIM_CLOCK_FREQ * 2;
static struct timespec clock_start;

// ---- clock and timers ----
uint32_t sim_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t ns = (uint64_t)(ts.tv_sec - clock_start.tv_sec) * 1000000000ull
                  + (uint64_t)ts.tv_nsec - (uint64_t)clock_start.tv_nsec;
    return (uint32_t)(ns / (1000000000ull / SIM_CLOCK_FREQ));
}

uint32_t timer_read_time(void) { return sim_clock(); }
void timer_kick(void) {}
uint32_t timer_late_limit_ticks(void) { return late_limit_ticks; }

// One thread: interrupts are only a concept here.
void irq_disable(void) {}
void irq_enable(void) {}
irqstatus_t irq_save(void) { return 0; }
void irq_restore(irqstatus_t flag) { (void)flag; }

// ---- link faults ----
static double rng_uniform(void)
{
    // xorshift64*: reproducible with --seed
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static int apply_faults(uint8_t *block, uint_fast8_t len)
{
    if (drop_rate > 0 && rng_uniform() < drop_rate)
        return 1;
    if (corrupt_rate > 0 && rng_uniform() < corrupt_rate)
        block[(unsigned)(rng_uniform() * len) % len] ^= (uint8_t)(1u << (unsigned)(rng_uniform() * 8));
    return 0;
}

int observe_rx_block(uint8_t *block, uint_fast8_t len)
{
    return apply_faults(block, len);
}

// ---- serial over the pty ----
static uint8_t tx_buf[65536];
static size_t tx_len;

static void flush_tx(void)
{
    while (tx_len) {
        ssize_t n = write(pty_master, tx_buf, tx_len);
        if (n <= 0)
            return;  // host not reading: keep it for later (or drop when full)
        memmove(tx_buf, tx_buf + n, tx_len - n);
        tx_len -= n;
    }
}

void serial_send_block(const uint8_t *block, uint_fast8_t len)
{
    uint8_t copy[64];
    memcpy(copy, block, len);
    if (apply_faults(copy, len))
        return;
    if (tx_len + len > sizeof(tx_buf))
        return;  // nobody reads the pty: lose it, as a UART would
    memcpy(tx_buf + tx_len, copy, len);
    tx_len += len;
    if (tx_len > 512)
        flush_tx();
}

static void read_input(void)
{
    uint8_t buf[512];
    ssize_t n = read(pty_master, buf, sizeof(buf));
    if (n > 0)
        command_receive(buf, (uint_fast16_t)n);
}

static void open_pty(void)
{
    pty_master = posix_openpt(O_RDWR | O_NOCTTY);
    if (pty_master < 0 || grantpt(pty_master) || unlockpt(pty_master)) {
        perror("tether-sim: cannot create a pseudo-terminal");
        exit(1);
    }
    const char *slave = ptsname(pty_master);
    // Hold the slave open ourselves so the master stays usable while no host has it open.
    pty_slave = open(slave, O_RDWR | O_NOCTTY);
    if (pty_slave < 0) {
        perror("tether-sim: cannot open the pty slave");
        exit(1);
    }
    struct termios t;
    if (tcgetattr(pty_slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(pty_slave, TCSANOW, &t);
    }
    fcntl(pty_master, F_SETFL, fcntl(pty_master, F_GETFL) | O_NONBLOCK);
    if (pty_link) {
        unlink(pty_link);
        if (symlink(slave, pty_link)) {
            fprintf(stderr, "tether-sim: cannot create the link %s: %s\n", pty_link, strerror(errno));
            exit(1);
        }
    }
    printf("pty: %s\n", slave);
    fflush(stdout);
}

// ---- lifecycle ----
static void print_timing(FILE *f)
{
    struct sched_lateness *l = &sched_lateness;
    fprintf(f, "{\"ev\":\"timing\",\"clock\":%u,\"timers\":%u,\"late_max_us\":%.2f,"
            "\"late_avg_us\":%.3f}\n", sim_clock(), l->count,
            l->max_ticks * 1e6 / SIM_CLOCK_FREQ,
            l->count ? (double)l->sum_ticks / l->count * 1e6 / SIM_CLOCK_FREQ : 0.0);
}

static void sim_exit(int status)
{
    flush_tx();
    if (trace_file) {
        trace_positions("exit", sim_clock());
        print_timing(trace_file);
    }
    trace_close();
    print_timing(stderr);
    if (pty_link)
        unlink(pty_link);
    positions_unpublish();
    exit(status);
}

// First trace line: the clock and what the machine file described.
static void trace_start_event(void)
{
    if (!trace_file)
        return;
    fprintf(trace_file, "{\"ev\":\"start\",\"clock\":%u,\"clock_freq\":%d,\"steppers\":[",
            sim_clock(), SIM_CLOCK_FREQ);
    for (int i = 0; i < sim_machine.stepper_count; i++) {
        const struct sim_stepper *st = &sim_machine.steppers[i];
        fprintf(trace_file, "%s{\"name\":\"%s\",\"axis\":\"%s\",\"steps_per_mm\":%.6g,\"pos\":%lld}",
                i ? "," : "", st->name, st->axis, st->steps_per_mm, (long long)st->position_steps);
    }
    fputs("],\"heaters\":[", trace_file);
    for (int i = 0; i < sim_machine.heater_count; i++)
        fprintf(trace_file, "%s\"%s\"", i ? "," : "", sim_machine.heaters[i].name);
    fputs("]}\n", trace_file);
}

static void on_signal(int sig)
{
    (void)sig;
    exit_requested = 1;
}

void pins_reset(void);

static void machine_clock_start(void)
{
    uint32_t now = sim_clock();
    for (int i = 0; i < sim_machine.heater_count; i++)
        sim_machine.heaters[i].last_clock = now;
}

void board_reset(void)
{
    pins_reset();
    machine_mcu_reset(sim_clock());
    sched_reinit();
    send_starting();
    longjmp(*sched_shutdown_jmp, 1);
}

#define MAX_SLEEP_TICKS (SIM_CLOCK_FREQ / 100)   // wake at least every 10 ms
// Timers due within this window run in one batch, up to 200 us before their time: the
// physics uses each timer's own clock, and no host can observe the difference, but the sim
// sleeps between batches instead of spinning a core while steppers run.
#define RUN_AHEAD_TICKS (SIM_CLOCK_FREQ / 5000)
static uint32_t next_periodic, next_flush;

static void sim_idle(void)
{
    if (exit_requested)
        sim_exit(0);
    flush_tx();
    uint32_t now = sim_clock();
    uint32_t next = sched_next_waketime(now, MAX_SLEEP_TICKS);
    int32_t wait = (int32_t)(next - now) - RUN_AHEAD_TICKS / 2;
    if (wait > 0) {
        struct pollfd pfd = { pty_master, POLLIN | (tx_len ? POLLOUT : 0), 0 };
        uint64_t ns = (uint64_t)wait * (1000000000ull / SIM_CLOCK_FREQ);
#ifdef __linux__
        struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
        ppoll(&pfd, 1, &ts, 0);
#else
        // macOS has no ppoll: millisecond poll, then the run-ahead window absorbs the rest.
        if (ns >= 1000000)
            poll(&pfd, 1, (int)(ns / 1000000));
#endif
    }
    // Take in what the host sent before running the timers that fell due. A sim woken late (a
    // loaded machine descheduled it) would otherwise fire a homing or heater timeout that the
    // host had extended in time: a real MCU receives bytes as they arrive, not when it wakes.
    read_input();
    command_task();
    sched_timer_dispatch_until(sim_clock() + RUN_AHEAD_TICKS);
    now = sim_clock();
    if (!timer_is_before(now, next_periodic)) {
        next_periodic = now + SIM_CLOCK_FREQ;
        machine_periodic(now);
        if (trace_file)
            print_timing(trace_file);
    }
    if (!timer_is_before(now, next_flush)) {
        next_flush = now + SIM_CLOCK_FREQ / 10;
        displays_flush();  // at most 10 `lcd` events a second per display
        trace_flush();
    }
}

static double parse_rate(const char *opt, const char *v)
{
    char *end;
    double r = strtod(v, &end);
    if (*end || !(r >= 0 && r <= 1)) {
        fprintf(stderr, "tether-sim: %s needs a probability between 0 and 1, not \"%s\"\n", opt, v);
        exit(2);
    }
    return r;
}

static void usage(void)
{
    fprintf(stderr, "usage: tether-sim [--pty PATH] [--machine FILE.json] [--trace FILE] [--positions FILE]\n"
                    "                  [--drop-rate P] [--corrupt-rate P] [--seed N]"
                    " [--late-limit-ms MS]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *machine = 0, *trace = 0, *positions = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            usage();
        if (!v) {
            fprintf(stderr, "tether-sim: %s needs a value\n", a);
            usage();
        }
        i++;
        if (!strcmp(a, "--pty")) pty_link = v;
        else if (!strcmp(a, "--machine")) machine = v;
        else if (!strcmp(a, "--trace")) trace = v;
        else if (!strcmp(a, "--positions")) positions = v;
        else if (!strcmp(a, "--drop-rate")) drop_rate = parse_rate(a, v);
        else if (!strcmp(a, "--corrupt-rate")) corrupt_rate = parse_rate(a, v);
        else if (!strcmp(a, "--seed")) rng_state = strtoull(v, 0, 0) * 2654435761ull + 1;
        else if (!strcmp(a, "--late-limit-ms")) late_limit_ticks = (uint32_t)(atof(v) * SIM_CLOCK_FREQ / 1000);
        else {
            fprintf(stderr, "tether-sim: unknown option %s\n", a);
            usage();
        }
    }
    if (machine)
        machine_load(machine);
    if (trace)
        trace_open(trace);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, 0);
    sigaction(SIGINT, &sa, 0);
    signal(SIGPIPE, SIG_IGN);
#ifdef PR_SET_TIMERSLACK
    prctl(PR_SET_TIMERSLACK, 1);  // sleep precisely: step timers are microseconds apart
#endif
#ifdef PR_SET_PDEATHSIG
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // exit cleanly when whoever started us dies
#endif
    clock_gettime(CLOCK_MONOTONIC, &clock_start);
    machine_reset();
    if (positions)
        positions_publish(positions);
    machine_clock_start();
    open_pty();
    trace_start_event();
    sched_main(sim_idle);
}
